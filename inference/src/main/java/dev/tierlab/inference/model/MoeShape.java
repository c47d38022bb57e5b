package dev.tierlab.inference.model;

/**
 * The mixture-of-experts part of a preset: each block's FFN is {@code nExpert} experts of width
 * {@code nFfExpert}, of which the router picks {@code nExpertUsed} per token, plus always-read
 * shared experts of total width {@code nFfShared} (0: none; Qwen2-MoE gives its one a scalar gate,
 * DeepSeek-V2 has {@code nFfShared / nFfExpert} ungated ones). The first {@code nLeadingDense}
 * blocks have a dense FFN of the preset's {@code nFf} instead (DeepSeek-V2's first_k_dense_replace).
 *
 * @param publishedActiveParams the active parameter count the model card publishes (0 for test shapes)
 * @param routerZipf            the routing assumption for synthesized weights: per layer, expert r of a
 *                              seeded ranking is weighted (r+1)^-s and a token's experts are drawn
 *                              without replacement in proportion to those weights; 0 is uniform
 * @param nLeadingDense         blocks before the first mixture-of-experts block, each with a dense FFN
 */
public record MoeShape(int nExpert, int nExpertUsed, int nFfExpert, int nFfShared, long publishedActiveParams,
        double routerZipf, int nLeadingDense) {

    public MoeShape {
        if (nExpert < 2 || nExpert > 64) {
            throw new IllegalArgumentException("expert count must be in [2, 64], got " + nExpert);
        }
        if (nExpertUsed < 1 || nExpertUsed > nExpert) {
            throw new IllegalArgumentException("experts used per token must be in [1, %d], got %d".formatted(nExpert, nExpertUsed));
        }
        if (!(routerZipf >= 0 && routerZipf <= 4)) {
            throw new IllegalArgumentException("router zipf exponent must be in [0, 4], got " + routerZipf);
        }
        if (nLeadingDense < 0) {
            throw new IllegalArgumentException("leading dense blocks must be >= 0, got " + nLeadingDense);
        }
    }

    /** Every block a mixture-of-experts block. */
    public MoeShape(int nExpert, int nExpertUsed, int nFfExpert, int nFfShared, long publishedActiveParams, double routerZipf) {
        this(nExpert, nExpertUsed, nFfExpert, nFfShared, publishedActiveParams, routerZipf, 0);
    }

    /** Whether block {@code layer} routes to experts (false for the leading dense blocks). */
    public boolean isMoeLayer(int layer) {
        return layer >= nLeadingDense;
    }

    public MoeShape withRouterZipf(double s) {
        return new MoeShape(nExpert, nExpertUsed, nFfExpert, nFfShared, publishedActiveParams, s, nLeadingDense);
    }
}
