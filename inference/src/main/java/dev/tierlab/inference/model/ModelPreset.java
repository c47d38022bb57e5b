package dev.tierlab.inference.model;

/**
 * Hyper-parameters of a real model, enough to lay out its tensors exactly.
 *
 * @param tiedEmbeddings  the source model shares token_embd with the output projection
 * @param ggufSeparateOutput the reference GGUF release stores output.weight anyway (Qwen's own
 *                        releases do), which changes file size but not the architecture
 * @param publishedParams the parameter count the model card publishes (0 for test presets)
 * @param moe             the experts of a mixture-of-experts model; null for a dense one
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
        MoeShape moe) {

    public ModelPreset {
        if (nHead % nHeadKv != 0) {
            throw new IllegalArgumentException(name + ": n_head must be a multiple of n_head_kv");
        }
    }

    /** A dense model. */
    public ModelPreset(String name, String architecture, int nEmbd, int nLayer, int nHead, int nHeadKv, int headDim, int nFf,
            int nVocab, int contextLength, float ropeTheta, float rmsEps, boolean qkvBias, boolean tiedEmbeddings,
            boolean ggufSeparateOutput, boolean ropeFreqs, long publishedParams, String source) {
        this(name, architecture, nEmbd, nLayer, nHead, nHeadKv, headDim, nFf, nVocab, contextLength, ropeTheta, rmsEps, qkvBias,
                tiedEmbeddings, ggufSeparateOutput, ropeFreqs, publishedParams, source, null);
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
                moe.withRouterZipf(s));
    }

    /**
     * A small model of the same architecture and expert structure (expert count and experts per token
     * kept, so routing behaves as in the real model) for tests: {@code layers} blocks, width
     * {@code nEmbdSmall} with 64-wide heads, experts {@code nFfSmall} wide, a vocabulary of {@code vocab}.
     */
    public ModelPreset scaledDown(int layers, int nEmbdSmall, int nFfSmall, int vocab) {
        int heads = nEmbdSmall / 64;
        int kv = Math.max(1, heads / (nHead / nHeadKv));
        MoeShape m = moe == null ? null : new MoeShape(moe.nExpert(), moe.nExpertUsed(), nFfSmall,
                moe.nFfShared() == 0 ? 0 : nFfSmall * 2, 0, moe.routerZipf());
        return new ModelPreset(name + "-tiny", architecture, nEmbdSmall, layers, heads, kv, 64, moe == null ? nFfSmall
                : (moe.nFfShared() == 0 ? nFfSmall : nFfSmall * 2), vocab, 4096, ropeTheta, rmsEps, qkvBias, tiedEmbeddings,
                ggufSeparateOutput, ropeFreqs, 0, source + " (scaled down)", m);
    }

    public ModelPreset withLayers(int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("--layers must be at least 1, got " + layers);
        }
        return new ModelPreset(name, architecture, nEmbd, layers, nHead, nHeadKv, headDim, nFf, nVocab, contextLength,
                ropeTheta, rmsEps, qkvBias, tiedEmbeddings, ggufSeparateOutput, ropeFreqs, 0, source, moe);
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
        long ffn = moe == null ? 3L * nEmbd * nFf
                : 3L * nEmbd * moe.nFfExpert() * experts + (long) nEmbd * moe.nExpert()
                + (moe.nFfShared() > 0 ? 3L * nEmbd * moe.nFfShared() + nEmbd : 0);
        long perLayer = (long) nEmbd * qDim + 2L * nEmbd * kvDim + qDim * nEmbd
                + ffn + 2L * nEmbd + (qkvBias ? qDim + 2 * kvDim : 0) + (architecture.equals("olmoe") ? qDim + kvDim : 0);
        long embeddings = (long) nEmbd * nVocab;
        return embeddings + (tiedEmbeddings ? 0 : embeddings) + nLayer * perLayer + nEmbd + (ropeFreqs ? headDim / 2 : 0);
    }
}
