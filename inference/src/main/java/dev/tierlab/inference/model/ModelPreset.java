package dev.tierlab.inference.model;

/**
 * Hyper-parameters of a real model, enough to lay out its tensors exactly.
 *
 * @param tiedEmbeddings  the source model shares token_embd with the output projection
 * @param ggufSeparateOutput the reference GGUF release stores output.weight anyway (Qwen's own
 *                        releases do), which changes file size but not the architecture
 * @param publishedParams the parameter count the model card publishes (0 for test presets)
 * @param moe             the experts of a mixture-of-experts model; null for a dense one
 * @param mla             DeepSeek-V2's latent attention ({@code deepseek2}); null for grouped-query attention,
 *                        with {@code headDim} then the key's head size and {@code nHeadKv == nHead}
 */
public record ModelPreset(
        String name,
        String architecture,
        int nEmbd,
        int nLayer,
        int nHead,
        int nHeadKv,
        int headDim,
        int nFf,
        int nVocab,
        int contextLength,
        float ropeTheta,
        float rmsEps,
        boolean qkvBias,
        boolean tiedEmbeddings,
        boolean ggufSeparateOutput,
        boolean ropeFreqs,
        long publishedParams,
        String source,
        MoeShape moe,
        MlaShape mla) {

    public ModelPreset {
        if (nHead % nHeadKv != 0) {
            throw new IllegalArgumentException(name + ": n_head must be a multiple of n_head_kv");
        }
        if (mla != null && mla.qLoraRank() == 0 && nLayer != MlaShape.LITE_BLOCK_COUNT) {
            throw new IllegalArgumentException(name + ": llama.cpp b4916 loads a deepseek2 model without q_lora_rank only with "
                    + MlaShape.LITE_BLOCK_COUNT + " blocks, not " + nLayer + " (MlaShape.forBlockCount gives the low-rank query)");
        }
        if (mla != null && nHeadKv != nHead) {
            throw new IllegalArgumentException(name + ": latent attention expands keys and values for every head: n_head_kv must be n_head");
        }
        if (mla != null && moe != null && moe.nFfShared() % moe.nFfExpert() != 0) {
            throw new IllegalArgumentException(name + ": deepseek2 counts shared experts in expert widths: %d is not a multiple of %d"
                    .formatted(moe.nFfShared(), moe.nFfExpert()));
        }
        if (mla != null && mla.qkRopeDim() >= headDim) {
            throw new IllegalArgumentException(name + ": the rope part of a key (%d) must be smaller than the key (%d)"
                    .formatted(mla.qkRopeDim(), headDim));
        }
    }

    /** A model with grouped-query attention. */
    public ModelPreset(String name, String architecture, int nEmbd, int nLayer, int nHead, int nHeadKv, int headDim, int nFf,
            int nVocab, int contextLength, float ropeTheta, float rmsEps, boolean qkvBias, boolean tiedEmbeddings,
            boolean ggufSeparateOutput, boolean ropeFreqs, long publishedParams, String source, MoeShape moe) {
        this(name, architecture, nEmbd, nLayer, nHead, nHeadKv, headDim, nFf, nVocab, contextLength, ropeTheta, rmsEps, qkvBias,
                tiedEmbeddings, ggufSeparateOutput, ropeFreqs, publishedParams, source, moe, null);
    }

    /** A dense model. */
    public ModelPreset(String name, String architecture, int nEmbd, int nLayer, int nHead, int nHeadKv, int headDim, int nFf,
            int nVocab, int contextLength, float ropeTheta, float rmsEps, boolean qkvBias, boolean tiedEmbeddings,
            boolean ggufSeparateOutput, boolean ropeFreqs, long publishedParams, String source) {
        this(name, architecture, nEmbd, nLayer, nHead, nHeadKv, headDim, nFf, nVocab, contextLength, ropeTheta, rmsEps, qkvBias,
                tiedEmbeddings, ggufSeparateOutput, ropeFreqs, publishedParams, source, null, null);
    }

    public boolean isMoe() {
        return moe != null;
    }

    /** The same preset with synthesized routers of Zipf exponent {@code s} (see {@link MoeShape#routerZipf}). */
    public ModelPreset withRouterZipf(double s) {
        if (moe == null) {
            throw new IllegalArgumentException(name + " is not a mixture-of-experts preset: a router skew does not apply");
        }
        return new ModelPreset(name, architecture, nEmbd, nLayer, nHead, nHeadKv, headDim, nFf, nVocab, contextLength,
                ropeTheta, rmsEps, qkvBias, tiedEmbeddings, ggufSeparateOutput, ropeFreqs, publishedParams, source,
                moe.withRouterZipf(s), mla);
    }

    /**
     * A small model of the same architecture and expert structure (expert count and experts per token
     * kept, so routing behaves as in the real model) for tests: {@code layers} blocks, width
     * {@code nEmbdSmall} with 64-wide heads, experts {@code nFfSmall} wide, a vocabulary of {@code vocab}.
     * Leading dense blocks stay, 4 x {@code nFfSmall} wide; latent attention keeps its parts at rank 128,
     * with 32 of each key's 64 dimensions rotary and 64-wide values.
     */
    public ModelPreset scaledDown(int layers, int nEmbdSmall, int nFfSmall, int vocab) {
        int heads = nEmbdSmall / 64;
        int kv = Math.max(1, heads / (nHead / nHeadKv));
        MoeShape m = moe == null ? null : new MoeShape(moe.nExpert(), moe.nExpertUsed(), nFfSmall,
                moe.nFfShared() == 0 ? 0 : nFfSmall * 2, 0, moe.routerZipf(), moe.nLeadingDense());
        int ff = moe == null ? nFfSmall : moe.nLeadingDense() > 0 ? nFfSmall * 4 : (moe.nFfShared() == 0 ? nFfSmall : nFfSmall * 2);
        MlaShape a = mla == null ? null
                : new MlaShape(mla.qLoraRank() == 0 ? 0 : 128, 128, 32, 64).forBlockCount(layers, nEmbdSmall, heads * 64L);
        return new ModelPreset(name + "-tiny", architecture, nEmbdSmall, layers, heads, kv, 64, ff, vocab, 4096, ropeTheta, rmsEps,
                qkvBias, tiedEmbeddings, ggufSeparateOutput, ropeFreqs, 0, source + " (scaled down)", m, a);
    }

    public ModelPreset withLayers(int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("--layers must be at least 1, got " + layers);
        }
        return new ModelPreset(name, architecture, nEmbd, layers, nHead, nHeadKv, headDim, nFf, nVocab, contextLength,
                ropeTheta, rmsEps, qkvBias, tiedEmbeddings, ggufSeparateOutput, ropeFreqs, 0, source, moe,
                mla == null ? null : mla.forBlockCount(layers, nEmbd, (long) nHead * headDim));
    }

    /** Whether shared experts have a scalar sigmoid gate (Qwen2-MoE's ffn_gate_inp_shexp; DeepSeek-V2's have none). */
    public boolean sharedExpertGate() {
        return moe != null && moe.nFfShared() > 0 && !architecture.equals("deepseek2");
    }

    public boolean writesOutputTensor() {
        return !tiedEmbeddings || ggufSeparateOutput;
    }

    /** Parameters of the architecture, tied weights counted once, as model cards count them. */
    public long architecturalParams() {
        return params(moe == null ? 0 : moe.nExpert());
    }

    /**
     * Parameters one token reads: every dense tensor, the router, the shared expert, and
     * {@code nExpertUsed} of the routed experts (as model cards count "active" parameters).
     */
    public long activeParams() {
        return params(moe == null ? 0 : moe.nExpertUsed());
    }

    private long params(int experts) {
        long qDim = (long) nHead * headDim;
        long kvDim = (long) nHeadKv * headDim;
        long attention;
        if (mla == null) {
            attention = (long) nEmbd * qDim + 2L * nEmbd * kvDim + qDim * nEmbd + (qkvBias ? qDim + 2 * kvDim : 0)
                    + (architecture.equals("olmoe") ? qDim + kvDim : 0);
        } else {
            long r = mla.qLoraRank();
            long vDim = (long) nHead * mla.vHeadDim();
            long q = r == 0 ? nEmbd * qDim : nEmbd * r + r + r * qDim;
            attention = q + (long) nEmbd * (mla.kvLoraRank() + mla.qkRopeDim()) + mla.kvLoraRank()
                    + (long) mla.kvLoraRank() * (qDim - (long) nHead * mla.qkRopeDim() + vDim) + vDim * nEmbd;
        }
        long dense = 3L * nEmbd * nFf;
        long routed = moe == null ? 0 : 3L * nEmbd * moe.nFfExpert() * experts + (long) nEmbd * moe.nExpert()
                + (moe.nFfShared() > 0 ? 3L * nEmbd * moe.nFfShared() : 0) + (sharedExpertGate() ? nEmbd : 0);
        long blocks = 0;
        for (int l = 0; l < nLayer; l++) {
            blocks += attention + 2L * nEmbd + (moe == null || !moe.isMoeLayer(l) ? dense : routed);
        }
        long embeddings = (long) nEmbd * nVocab;
        return embeddings + (tiedEmbeddings ? 0 : embeddings) + blocks + nEmbd + (ropeFreqs ? headDim / 2 : 0);
    }
}
