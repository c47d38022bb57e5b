package dev.tierlab.cli;

import dev.tierlab.inference.engine.InferenceEngine;
import dev.tierlab.inference.java.JavaEngine;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;

/** The engines the CLI can drive, by the names scenarios and flags use. */
final class Engines {
    private Engines() {
    }

    static InferenceEngine byName(String name) {
        return switch (name) {
            case "llama.cpp" -> new LlamaCppEngine();
            case "java" -> new JavaEngine();
            default -> throw new UserError("-e: unknown engine '%s'; use llama.cpp or java".formatted(name));
        };
    }
}
