package dev.tierlab.emulator.placement;

/**
 * Puts KV-cache positions on a tier: for layers in the inclusive range (all when null), either the
 * {@code recentTokens} most recent positions not yet placed, or (null) all remaining positions.
 * "Last 512 tokens on hbm, the rest on flash" is two rules: {@code {tier: hbm, recent: 512}},
 * {@code {tier: flash}}.
 */
public record KvRule(String tier, Integer layerFrom, Integer layerTo, Integer recentTokens) {

    public boolean matchesLayer(int layer) {
        return (layerFrom == null || layer >= layerFrom) && (layerTo == null || layer <= layerTo);
    }
}
