package dev.tierlab.emulator.timeline;

import java.util.Arrays;

/**
 * Which experts a mixture-of-experts router picked, per token position and block: {@code experts[p][l]}
 * holds the {@code k} experts position p routed to in block l, or none at all positions for a block
 * without experts (DeepSeek's leading dense blocks). A trace recorded from a real model
 * (its real weights and real text) replaces the routing of a synthesized model, whose random weights
 * route only as the synthesizer's stated assumption: a run replays it by position, so the token at
 * position p of every repeat charges the experts the trace's token p chose.
 *
 * @param source what produced the routing (model, text, engine), stated in reports
 */
public record RoutingTrace(String source, int nExpert, int k, int[][][] experts) {

    public RoutingTrace {
        if (nExpert < 2 || nExpert > 64) {
            throw new IllegalArgumentException("expert count must be in [2, 64], got " + nExpert);
        }
        if (k < 1 || k > nExpert) {
            throw new IllegalArgumentException("experts per token must be in [1, %d], got %d".formatted(nExpert, k));
        }
        if (experts.length == 0) {
            throw new IllegalArgumentException("no token positions");
        }
        int layers = experts[0].length;
        if (layers == 0) {
            throw new IllegalArgumentException("position 0 has no blocks");
        }
        int[][][] copy = new int[experts.length][][];
        for (int p = 0; p < experts.length; p++) {
            if (experts[p].length != layers) {
                throw new IllegalArgumentException("position %d has %d blocks, position 0 has %d".formatted(p, experts[p].length, layers));
            }
            copy[p] = new int[layers][];
            for (int l = 0; l < layers; l++) {
                int[] e = experts[p][l];
                boolean dense = experts[0][l].length == 0;
                if (dense ? e.length != 0 : e.length != k) {
                    throw new IllegalArgumentException(dense
                            ? "position %d, block %d: %d experts, but the block routes none at position 0 (a dense block routes none anywhere)"
                                    .formatted(p, l, e.length)
                            : "position %d, block %d: %d experts, the trace says %d per token".formatted(p, l, e.length, k));
                }
                long seen = 0;
                for (int x : e) {
                    if (x < 0 || x >= nExpert) {
                        throw new IllegalArgumentException("position %d, block %d: expert %d outside [0, %d)".formatted(p, l, x, nExpert));
                    }
                    if ((seen & 1L << x) != 0) {
                        throw new IllegalArgumentException("position %d, block %d: expert %d chosen twice".formatted(p, l, x));
                    }
                    seen |= 1L << x;
                }
                copy[p][l] = e.clone();
            }
        }
        experts = copy;
    }

    /** Token positions the trace covers: a run may reach positions [0, positions()). */
    public int positions() {
        return experts.length;
    }

    /** Blocks per position. */
    public int layers() {
        return experts[0].length;
    }

    /** The experts of position {@code p} in block {@code layer}, as a bit mask. */
    public long mask(int p, int layer) {
        if (p < 0 || p >= experts.length) {
            throw new IllegalArgumentException("position %d is outside the routing trace's %d positions".formatted(p, experts.length));
        }
        return maskOf(experts[p][layer], experts[p][layer].length);
    }

    /** The first {@code count} expert ids of {@code ids} as a bit mask (bit e: expert e). */
    public static long maskOf(int[] ids, int count) {
        long m = 0;
        for (int i = 0; i < count; i++) {
            m |= 1L << ids[i];
        }
        return m;
    }

    /** Whether block {@code layer} routes to experts (false: a dense block, no experts at any position). */
    public boolean routes(int layer) {
        return experts[0][layer].length > 0;
    }

    /**
     * Why this trace cannot stand in for a model's routing, or null when it can: the expert counts and
     * experts per token must match, the trace must have at least the model's blocks (a model cut to
     * fewer layers replays the trace's first ones) with experts in the same blocks
     * ({@code modelRoutes[l]}: block l has routed experts), and every position a run reaches.
     */
    public String mismatch(int modelExperts, int modelK, boolean[] modelRoutes, int positionsNeeded) {
        if (modelExperts != nExpert || modelK != k) {
            return "the trace routes %d of %d experts per block, the model %d of %d: record the trace from a model of the same shape"
                    .formatted(k, nExpert, modelK, modelExperts);
        }
        if (layers() < modelRoutes.length) {
            return "the trace has %d blocks, the model %d: record it from the full model".formatted(layers(), modelRoutes.length);
        }
        for (int l = 0; l < modelRoutes.length; l++) {
            if (routes(l) != modelRoutes[l]) {
                return "block %d %s experts in the trace but %s in the model: record the trace from a model of the same architecture"
                        .formatted(l, routes(l) ? "has" : "has no", modelRoutes[l] ? "has them" : "not");
            }
        }
        if (positions() < positionsNeeded) {
            return "the trace covers %d token positions, the workload reaches %d: record a longer trace or shorten the workload"
                    .formatted(positions(), positionsNeeded);
        }
        return null;
    }

    /** Selections of each expert per block over all positions: {@code [layer][expert]}. */
    public long[][] histogram() {
        long[][] h = new long[layers()][nExpert];
        for (int[][] pos : experts) {
            for (int l = 0; l < pos.length; l++) {
                for (int e : pos[l]) {
                    h[l][e]++;
                }
            }
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoutingTrace r && nExpert == r.nExpert && k == r.k && source.equals(r.source)
                && Arrays.deepEquals(experts, r.experts);
    }

    @Override
    public int hashCode() {
        return 31 * source.hashCode() + Arrays.deepHashCode(experts);
    }

    @Override
    public String toString() {
        return "RoutingTrace[%d positions x %d blocks, %d of %d experts; %s]".formatted(positions(), layers(), k, nExpert, source);
    }
}
