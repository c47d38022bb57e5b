package dev.tierlab.cli;

import dev.tierlab.inference.cuda.CudaEngine;
import dev.tierlab.inference.cuda.CudaPlacement;
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
            default -> {
                if (!CudaPlacement.isCuda(name)) {
                    throw new UserError("-e: unknown engine '%s'; use llama.cpp, java or cuda[:host-mapped|:pcie-pinned]".formatted(name));
                }
                try {
                    yield new CudaEngine(CudaPlacement.parse(name));
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage());
                }
            }
        };
    }
}
