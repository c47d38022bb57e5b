package dev.tierlab.emulator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An upper-tier cache of weights fetched from lower tiers, least recently used out first. A hit is
 * served by the cache's tier; a miss by the weights' own tier, after which they are cached (if they
 * fit at all).
 */
public final class WeightCache {

    private final String tier;
    /** Marks the cache key of one expert's slab of a routed tensor ("name@tier#e17"). */
    public static final String EXPERT_KEY = "#e";

    private final long capacityBytes;
    private final int capacityEntries; // 0: capacity in bytes only
    private final LinkedHashMap<String, Long> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private long hits;
    private long misses;

    public WeightCache(String tier, long capacityBytes) {
        this(tier, capacityBytes, 0);
    }

    private WeightCache(String tier, long capacityBytes, int capacityEntries) {
        this.tier = tier;
        this.capacityBytes = capacityBytes;
        this.capacityEntries = capacityEntries;
    }

    /**
     * A cache of {@code experts} routed experts: an expert is its gate, up and down slabs, three entries
     * (the reference timeline caches routed tensors per expert slab).
     */
    public static WeightCache ofExperts(String tier, int experts) {
        if (experts < 0) {
            throw new IllegalArgumentException("an expert cache holds 0 or more experts, got " + experts);
        }
        // 0 experts: every lookup misses and nothing is kept (the without-cache side of a comparison).
        return experts == 0 ? new WeightCache(tier, 0, 0) : new WeightCache(tier, Long.MAX_VALUE, 3 * experts);
    }

    private WeightCache(WeightCache other) {
        this(other.tier, other.capacityBytes, other.capacityEntries);
        entries.putAll(other.entries);
        used = other.used;
    }

    public WeightCache copy() {
        return new WeightCache(this);
    }

    /** The tier that serves {@code bytes} of {@code key}, which live on {@code home}. */
    public String serve(String key, String home, long bytes) {
        if (home.equals(tier) || (capacityEntries > 0 && !key.contains(EXPERT_KEY))) {
            return home; // an expert cache holds routed experts only
        }
        if (entries.get(key) != null) {
            hits++;
            return tier;
        }
        misses++;
        if (bytes <= capacityBytes) {
            var it = entries.entrySet().iterator();
            while ((used + bytes > capacityBytes || (capacityEntries > 0 && entries.size() >= capacityEntries)) && it.hasNext()) {
                Map.Entry<String, Long> eldest = it.next();
                used -= eldest.getValue();
                it.remove();
            }
            entries.put(key, bytes);
            used += bytes;
        }
        return home;
    }

    /** Capacity in cache entries (three per expert), 0 when it is in bytes. */
    public int capacityEntries() {
        return capacityEntries;
    }

    public String tier() {
        return tier;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }
}
