package dev.tierlab.emulator.placement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Ordered weight and KV rules, with the tier that takes whatever no rule placed. */
public record Placement(List<WeightRule> weights, List<KvRule> kv, String defaultTier) {

    public Placement {
        weights = List.copyOf(weights);
        kv = List.copyOf(kv);
    }

    public static Placement allOn(String tier) {
        return new Placement(List.of(), List.of(), tier);
    }

    /** Bytes of one tensor per tier, in rule order. */
    public Map<String, Long> place(TensorRef t) {
        Map<String, Long> parts = new LinkedHashMap<>();
        long left = t.bytes();
        for (WeightRule r : weights) {
            if (left == 0) {
                break;
            }
            if (r.matches(t)) {
                long take = r.fraction() >= 1 ? left : Math.round(left * r.fraction());
                if (take > 0) {
                    parts.merge(r.tier(), take, Long::sum);
                    left -= take;
                }
            }
        }
        if (left > 0) {
            parts.merge(defaultTier, left, Long::sum);
        }
        return parts;
    }

    /** A span of KV positions [from, to) on one tier. */
    public record KvSpan(String tier, int from, int to) {
        public int tokens() {
            return to - from;
        }
    }

    /** Where positions [0, end) of {@code layer}'s cache live, newest claimed first. */
    public List<KvSpan> kvSpans(int layer, int end) {
        List<KvSpan> spans = new ArrayList<>();
        int top = end;
        for (KvRule r : kv) {
            if (top <= 0) {
                break;
            }
            if (!r.matchesLayer(layer)) {
                continue;
            }
            int from = r.recentTokens() == null ? 0 : Math.max(0, top - r.recentTokens());
            spans.add(new KvSpan(r.tier(), from, top));
            top = from;
        }
        if (top > 0) {
            spans.add(new KvSpan(defaultTier, 0, top));
        }
        return spans;
    }

    /** Every tier a KV rule of {@code layer} may use, for deciding whether the layer needs watching. */
    public List<String> kvTiers(int layer) {
        List<String> tiers = new ArrayList<>();
        for (KvRule r : kv) {
            if (r.matchesLayer(layer)) {
                tiers.add(r.tier());
            }
        }
        tiers.add(defaultTier);
        return tiers;
    }
}
