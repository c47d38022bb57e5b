package dev.tierlab.inference.model;

/**
 * The mixture-of-experts part of a preset: each block's FFN is {@code nExpert} experts of width
 * {@code nFfExpert}, of which the router picks {@code nExpertUsed} per token, plus an always-read
 * shared expert of width {@code nFfShared} (0: none) with its own scalar gate (Qwen2-MoE).
 *
 * @param publishedActiveParams the active parameter count the model card publishes (0 for test shapes)
 * @param routerZipf            the routing assumption for synthesized weights: per layer, expert r of a
 *                              seeded ranking is weighted (r+1)^-s and a token's experts are drawn
 *                              without replacement in proportion to those weights; 0 is uniform
 */
public record MoeShape(int nExpert, int nExpertUsed, int nFfExpert, int nFfShared, long publishedActiveParams,
        double routerZipf) {

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
    }

    public MoeShape withRouterZipf(double s) {
        return new MoeShape(nExpert, nExpertUsed, nFfExpert, nFfShared, publishedActiveParams, s);
    }
}
