package dev.tierlab.inference.model;

/**
 * Hyper-parameters of a real model, enough to lay out its tensors exactly.
 *
 * @param tiedEmbeddings  the source model shares token_embd with the output projection
 * @param ggufSeparateOutput the reference GGUF release stores output.weight anyway (Qwen's own
 *                        releases do), which changes file size but not the architecture
 * @param publishedParams the parameter count the model card publishes (0 for test presets)
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
        String source) {

    public ModelPreset {
        if (nHead % nHeadKv != 0) {
            throw new IllegalArgumentException(name + ": n_head must be a multiple of n_head_kv");
        }
    }

    public ModelPreset withLayers(int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("--layers must be at least 1, got " + layers);
        }
        return new ModelPreset(name, architecture, nEmbd, layers, nHead, nHeadKv, headDim, nFf, nVocab, contextLength,
                ropeTheta, rmsEps, qkvBias, tiedEmbeddings, ggufSeparateOutput, ropeFreqs, 0, source);
    }

    public boolean writesOutputTensor() {
        return !tiedEmbeddings || ggufSeparateOutput;
    }

    /** Parameters of the architecture, tied weights counted once, as model cards count them. */
    public long architecturalParams() {
        long qDim = (long) nHead * headDim;
        long kvDim = (long) nHeadKv * headDim;
        long perLayer = (long) nEmbd * qDim + 2L * nEmbd * kvDim + qDim * nEmbd
                + 3L * nEmbd * nFf + 2L * nEmbd + (qkvBias ? qDim + 2 * kvDim : 0);
        long embeddings = (long) nEmbd * nVocab;
        return embeddings + (tiedEmbeddings ? 0 : embeddings) + nLayer * perLayer + nEmbd + (ropeFreqs ? headDim / 2 : 0);
    }
}
