package dev.tierlab.inference.engine;

import java.nio.file.Path;

/** An inference engine tierlab can drive and emulate tiers under. */
public interface InferenceEngine {

    /** Short name used in results ("llama.cpp", "java"). */
    String name();

    /** The engine's build identifier (e.g. llama.cpp's build commit). */
    String buildCommit();

    LoadedModel load(Path gguf);
}
