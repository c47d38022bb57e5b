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

    @Override
    void close();
}
