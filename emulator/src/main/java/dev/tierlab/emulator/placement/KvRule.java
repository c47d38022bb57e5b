package dev.tierlab.emulator.placement;

import dev.tierlab.emulator.access.AccessMode;

/**
 * Puts KV-cache positions on a tier: for layers in the inclusive range (all when null), either the
 * {@code recentTokens} most recent positions not yet placed, or (null) all remaining positions.
 * "Last 512 tokens on hbm, the rest on flash" is two rules: {@code {tier: hbm, recent: 512}},
 * {@code {tier: flash}}.
 */
public record KvRule(String tier, Integer layerFrom, Integer layerTo, Integer recentTokens, AccessMode access) {

    public KvRule(String tier, Integer layerFrom, Integer layerTo, Integer recentTokens) {
        this(tier, layerFrom, layerTo, recentTokens, null);
    }

    public KvRule {
        if (recentTokens != null && recentTokens <= 0) {
            throw new dev.tierlab.emulator.SpecException("placement.kv.recent", "must be a positive number of tokens, got " + recentTokens);
        }
    }

    public boolean matchesLayer(int layer) {
        return (layerFrom == null || layer >= layerFrom) && (layerTo == null || layer <= layerTo);
    }
}
