package dev.tierlab.inference.model;

/**
 * DeepSeek-V2's multi-head latent attention, as llama.cpp's {@code deepseek2} architecture lays it
 * out: per head, a key of the preset's {@code headDim} (qk_nope_head_dim + {@code qkRopeDim}) and a
 * value of {@code vHeadDim}; keys and values are expanded from a {@code kvLoraRank} latent
 * ({@code attn_kv_a_mqa} makes the latent and the shared rope key, {@code attn_kv_b} expands it);
 * the query is {@code attn_q}, or, when {@code qLoraRank > 0}, the low-rank pair
 * {@code attn_q_a}/{@code attn_q_b} with a norm between.
 */
public record MlaShape(int qLoraRank, int kvLoraRank, int qkRopeDim, int vHeadDim) {

    public MlaShape {
        if (qLoraRank < 0 || kvLoraRank < 1 || qkRopeDim < 2 || qkRopeDim % 2 != 0 || vHeadDim < 1) {
            throw new IllegalArgumentException("multi-head latent attention needs q_lora_rank >= 0, kv_lora_rank >= 1, an even"
                    + " rope dimension and v_head_dim >= 1, got %d, %d, %d, %d".formatted(qLoraRank, kvLoraRank, qkRopeDim, vHeadDim));
        }
    }

    /**
     * llama.cpp b4916 takes a {@code deepseek2} model for DeepSeek-V2-Lite (plain {@code attn_q}, no
     * q_lora_rank) only when it has exactly this many blocks; any other depth must have a low-rank query.
     */
    public static final int LITE_BLOCK_COUNT = 27;

    /**
     * This shape for a model of {@code nLayer} blocks: unchanged, unless it has a plain query and
     * llama.cpp would demand a low-rank one. Then the query gets the rank, a multiple of 128, whose
     * {@code attn_q_a} + {@code attn_q_b} hold closest to the parameters of the plain
     * [{@code nEmbd}, {@code qDim}] {@code attn_q} (DeepSeek-V2-Lite: rank 1280, 6.55M parameters
     * instead of 6.29M, 0.3% of the bytes a token reads).
     */
    public MlaShape forBlockCount(int nLayer, int nEmbd, long qDim) {
        if (qLoraRank > 0 || nLayer == LITE_BLOCK_COUNT) {
            return this;
        }
        double equal = (double) nEmbd * qDim / (nEmbd + qDim + 1);
        int rank = (int) Math.max(128, Math.round(equal / 128) * 128);
        return new MlaShape(rank, kvLoraRank, qkRopeDim, vHeadDim);
    }
}
