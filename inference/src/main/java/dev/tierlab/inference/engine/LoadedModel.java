package dev.tierlab.inference.engine;

import dev.tierlab.inference.model.ModelInfo;

/** A model an engine has loaded; contexts are created from it and closed before it. */
public interface LoadedModel extends AutoCloseable {

    ModelInfo info();

    /** The engine's one-line description, e.g. llama.cpp's "llama 1B F16". */
    String description();

    long parameterCount();

    long sizeBytes();

    EngineContext newContext(ContextConfig config, LayerHook hook);

    /**
     * A context whose KV cache holds {@code maxSequences} sequences (n_ctx cells shared by all), for
     * continuous batching. Engines that cannot batch sequences say so.
     */
    default BatchContext newBatchContext(ContextConfig config, int maxSequences) {
        return newBatchContext(config, maxSequences, LayerHook.NONE);
    }

    /**
     * As {@link #newBatchContext(ContextConfig, int)}, with {@code hook} told of each step as one
     * micro-batch and, for mixture-of-experts models, of its routing.
     */
    default BatchContext newBatchContext(ContextConfig config, int maxSequences, LayerHook hook) {
        throw new UnsupportedOperationException(description() + ": this engine does not run batches of several sequences; use engine: llama.cpp");
    }

    @Override
    void close();
}
