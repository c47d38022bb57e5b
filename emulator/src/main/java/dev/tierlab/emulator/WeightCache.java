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
    private final long capacityBytes;
    private final LinkedHashMap<String, Long> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private long hits;
    private long misses;

    public WeightCache(String tier, long capacityBytes) {
        this.tier = tier;
        this.capacityBytes = capacityBytes;
    }

    private WeightCache(WeightCache other) {
        this(other.tier, other.capacityBytes);
        entries.putAll(other.entries);
        used = other.used;
    }

    public WeightCache copy() {
        return new WeightCache(this);
    }

    /** The tier that serves {@code bytes} of {@code key}, which live on {@code home}. */
    public String serve(String key, String home, long bytes) {
        if (home.equals(tier)) {
            return home;
        }
        if (entries.get(key) != null) {
            hits++;
            return tier;
        }
        misses++;
        if (bytes <= capacityBytes) {
            var it = entries.entrySet().iterator();
            while (used + bytes > capacityBytes && it.hasNext()) {
                Map.Entry<String, Long> eldest = it.next();
                used -= eldest.getValue();
                it.remove();
            }
            entries.put(key, bytes);
            used += bytes;
        }
        return home;
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
