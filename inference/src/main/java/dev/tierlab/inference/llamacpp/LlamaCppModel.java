package dev.tierlab.inference.llamacpp;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.model.ModelInfo;
import java.lang.foreign.MemorySegment;

/** A llama_model handle; freed on close. */
final class LlamaCppModel implements LoadedModel {

    private final LlamaCpp api;
    private final ModelInfo info;
    private MemorySegment model;

    LlamaCppModel(LlamaCpp api, MemorySegment model, ModelInfo info) {
        this.api = api;
        this.model = model;
        this.info = info;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public String description() {
        return api.modelDesc(handle());
    }

    @Override
    public long parameterCount() {
        return api.modelNParams(handle());
    }

    @Override
    public long sizeBytes() {
        return api.modelSize(handle());
    }

    @Override
    public EngineContext newContext(ContextConfig config, LayerHook hook) {
        return new LlamaCppContext(api, handle(), info.nLayer(), config, hook);
    }

    @Override
    public dev.tierlab.inference.engine.BatchContext newBatchContext(ContextConfig config, int maxSequences, LayerHook hook) {
        return new LlamaCppBatchContext(api, handle(), info.nLayer(), config, maxSequences, hook);
    }

    private MemorySegment handle() {
        if (model == null) {
            throw new IllegalStateException("model already closed");
        }
        return model;
    }

    @Override
    public void close() {
        if (model != null) {
            api.modelFree(model);
            model = null;
        }
    }
}
