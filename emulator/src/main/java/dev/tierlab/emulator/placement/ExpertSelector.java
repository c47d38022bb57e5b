package dev.tierlab.emulator.placement;

/**
 * Which routed experts of a block a weight rule takes: fixed expert indices (the same in every block),
 * or the {@code hot} most used experts of each block, ranked by a profiling pass on the top tier (the
 * routing that the baseline run on HBM recorded).
 *
 * @param indices bit e set: expert e (used when hot is 0)
 * @param hot     the N most used experts per block (0: use indices)
 */
public record ExpertSelector(long indices, int hot) {

    public ExpertSelector {
        if (hot < 0 || hot > 64) {
            throw new IllegalArgumentException("hot must be in [0, 64], got " + hot);
        }
        if (hot == 0 && indices == 0) {
            throw new IllegalArgumentException("an expert selector needs at least one expert index or hot >= 1");
        }
    }

    public static ExpertSelector hottest(int n) {
        return new ExpertSelector(0, n);
    }

    /** Experts {@code from..to}, inclusive. */
    public static ExpertSelector range(int from, int to) {
        if (from < 0 || to > 63 || to < from) {
            throw new IllegalArgumentException("expert range must lie in 0..63, got %d-%d".formatted(from, to));
        }
        long m = to == 63 ? -1L << from : ((1L << (to + 1)) - 1) & (-1L << from);
        return new ExpertSelector(m, 0);
    }

    /** Whether expert {@code e}, of popularity rank {@code rank} in its block (0: the most used), is taken. */
    public boolean contains(int e, int rank) {
        return hot > 0 ? rank < hot : (indices >>> e & 1) != 0;
    }
}
