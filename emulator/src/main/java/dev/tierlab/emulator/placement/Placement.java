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
        Map<String, Long> byTier = new LinkedHashMap<>();
        parts(t).forEach(p -> byTier.merge(p.tier(), p.bytes(), Long::sum));
        return byTier;
    }

    /** A share of one tensor's bytes on one tier, with the access mode its rule asked for (null: default). */
    public record Part(String tier, dev.tierlab.emulator.access.AccessMode access, long bytes) {
    }

    /** Bytes of one tensor per (tier, access), in rule order. */
    public List<Part> parts(TensorRef t) {
        return parts(t, -1, 0);
    }

    /**
     * Bytes of expert {@code expert}'s slab {@code slab} of a routed tensor per (tier, access): rules with
     * an expert selector take it only if they select it, given its popularity rank {@code rank} in the
     * block (0: the most used). With {@code expert} -1, rules with a selector take nothing.
     */
    public List<Part> parts(TensorRef t, int expert, int rank) {
        List<Part> parts = new ArrayList<>();
        long left = t.bytes();
        for (WeightRule r : weights) {
            if (left == 0) {
                break;
            }
            if (r.experts() != null && (expert < 0 || !r.experts().contains(expert, rank))) {
                continue;
            }
            if (r.matches(t)) {
                long take = r.fraction() >= 1 ? left : Math.round(left * r.fraction());
                if (take > 0) {
                    parts.add(new Part(r.tier(), r.access(), take));
                    left -= take;
                }
            }
        }
        if (left > 0) {
            parts.add(new Part(defaultTier, null, left));
        }
        return parts;
    }

    /** The access mode of the KV rule that placed positions of {@code layer} on {@code tier} (null: default). */
    public dev.tierlab.emulator.access.AccessMode kvAccess(int layer, String tier) {
        for (KvRule r : kv) {
            if (r.matchesLayer(layer) && r.tier().equals(tier)) {
                return r.access();
            }
        }
        return null;
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
