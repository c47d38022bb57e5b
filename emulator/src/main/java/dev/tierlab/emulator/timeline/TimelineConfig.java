package dev.tierlab.emulator.timeline;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.WeightCache;
import dev.tierlab.emulator.access.AccessMode;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.reference.ReferenceSystem;
import dev.tierlab.emulator.tier.Bandwidth;
import dev.tierlab.emulator.tier.TierSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything that decides a reference timeline besides the trace: the reference system, the tiers
 * (at the reference's scale; native tiers are its top tier), placement, staging depth, an optional
 * top-tier weight cache, the default access mode, and the seed of every latency draw.
 *
 * @param defaultAccess access of rules that name none; null: by tier class ({@link AccessMode#defaultFor})
 */
public record TimelineConfig(ReferenceSystem reference, Map<String, TierSpec> tiers, Placement placement, WeightCache cache,
        int prefetchDepth, AccessMode defaultAccess, long seed) {

    public TimelineConfig {
        tiers = Map.copyOf(tiers);
        if (prefetchDepth < 0) {
            throw new SpecException("prefetch", "must not be negative, got " + prefetchDepth);
        }
        List<String> names = new ArrayList<>();
        names.add(placement.defaultTier());
        placement.weights().forEach(w -> names.add(w.tier()));
        placement.kv().forEach(k -> names.add(k.tier()));
        if (cache != null) {
            names.add(cache.tier());
        }
        for (String t : names) {
            if (!tiers.containsKey(t)) {
                throw new SpecException("placement", "unknown tier '%s'; declared tiers: %s".formatted(t, String.join(", ", tiers.keySet())));
            }
        }
    }

    /** Everything on the reference's top tier: the baseline a point is compared with. */
    public static TimelineConfig allOnTop(ReferenceSystem reference, Map<String, TierSpec> tiers) {
        String top = tiers.values().stream().filter(TierSpec::isNative).map(TierSpec::name).findFirst().orElseThrow();
        return new TimelineConfig(reference, tiers, Placement.allOn(top), null, 0, null, 0);
    }

    public TimelineConfig withSeed(long s) {
        return new TimelineConfig(reference, tiers, placement, cache == null ? null : cache.copy(), prefetchDepth, defaultAccess, s);
    }

    /** A tier's bandwidth at reference scale: relative figures ("0.5x") refer to the top tier. */
    public double bytesPerSecond(TierSpec t, boolean write) {
        Bandwidth b = write ? t.writeBandwidth() : t.readBandwidth();
        return b.bytesPerSecond(write ? reference.topWriteBytesPerSecond() : reference.topReadBytesPerSecond());
    }

    public AccessMode accessOf(String tier, AccessMode ruleAccess) {
        if (ruleAccess != null) {
            return ruleAccess;
        }
        return defaultAccess != null ? defaultAccess : AccessMode.defaultFor(tiers.get(tier).tierClass());
    }

    public boolean isTop(String tier) {
        return tiers.get(tier).isNative();
    }
}
