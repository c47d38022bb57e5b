package dev.tierlab.inference.llamacpp;

import dev.tierlab.inference.engine.InferenceEngine;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.model.ModelInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** llama.cpp (the build inside de.kherud:llama) driven through its C API with the FFM API. */
public final class LlamaCppEngine implements InferenceEngine {

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public String buildCommit() {
        return LlamaCpp.BUILD_COMMIT;
    }

    /**
     * Loads a GGUF file. It is parsed by tierlab first, so a corrupt file gets tierlab's one-line
     * error instead of llama.cpp's; llama.cpp then maps it (use_mmap, CPU only).
     */
    @Override
    public LoadedModel load(Path gguf) {
        ModelInfo info;
        try (GgufFile f = GgufFile.open(gguf)) {
            info = ModelInfo.of(f);
        }
        LlamaCpp api = LlamaCpp.get();
        MemorySegment model = loadRaw(api, gguf);
        if (model.equals(MemorySegment.NULL)) {
            throw new IllegalStateException(couldNotLoad(gguf));
        }
        return new LlamaCppModel(api, model, info);
    }

    /** llama.cpp's own load (CPU, mmap); NULL when it refused the file. */
    private static MemorySegment loadRaw(LlamaCpp api, Path gguf) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = api.modelDefaultParams(arena);
            LlamaStructs.MP_N_GPU_LAYERS.set(params, 0);
            LlamaStructs.MP_USE_MMAP.set(params, true);
            return api.modelLoadFromFile(arena.allocateFrom(gguf.toAbsolutePath().toString()), params);
        }
    }

    private static String couldNotLoad(Path gguf) {
        return gguf + ": llama.cpp could not load the model (set TIERLAB_LLAMA_LOG=info to see why)";
    }

    /**
     * Loads a GGUF file with llama.cpp alone, no tierlab validation in front, and frees it: for probing
     * what llama.cpp's own loader does with a file, in a worker JVM that may die of it.
     *
     * @return null when llama.cpp loaded the file, else a one-line reason
     */
    public static String loadUnvalidated(Path gguf) {
        LlamaCpp api = LlamaCpp.get();
        MemorySegment model = loadRaw(api, gguf);
        if (model.equals(MemorySegment.NULL)) {
            return couldNotLoad(gguf);
        }
        api.modelFree(model);
        return null;
    }
}
