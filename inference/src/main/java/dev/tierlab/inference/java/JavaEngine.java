package dev.tierlab.inference.java;

import dev.tierlab.inference.engine.InferenceEngine;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgufFile;
import java.nio.file.Path;

/**
 * tierlab's own engine: a llama/qwen2 transformer, and the mixture-of-experts llama, olmoe and
 * qwen2moe, over the memory-mapped GGUF, with Vector API kernels, whose every weight and KV byte the
 * emulator can move for real ("copy" mode).
 */
public final class JavaEngine implements InferenceEngine {

    private static final System.Logger LOG = System.getLogger("dev.tierlab.java");

    @Override
    public String name() {
        return "java";
    }

    @Override
    public String buildCommit() {
        return "tierlab";
    }

    @Override
    public LoadedModel load(Path gguf) {
        String notInlined = JitDirectives.install();
        if (notInlined != null) {
            LOG.log(System.Logger.Level.WARNING, "could not pin the JIT inlining of the Java engine's vector helpers ({0});"
                    + " decode speed may vary from run to run", notInlined);
        }
        GgufFile f = GgufFile.open(gguf);
        try {
            return new JavaModel(f);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }
}
