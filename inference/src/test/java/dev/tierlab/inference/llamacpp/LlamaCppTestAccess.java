package dev.tierlab.inference.llamacpp;

import dev.tierlab.inference.engine.EngineContext;

/** Lets tests in other packages read llama.cpp's last logits. */
public final class LlamaCppTestAccess {
    private LlamaCppTestAccess() {
    }

    public static float[] logits(EngineContext ctx) {
        return ((LlamaCppContext) ctx).logits();
    }
}
