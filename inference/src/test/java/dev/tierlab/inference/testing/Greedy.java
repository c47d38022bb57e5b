package dev.tierlab.inference.testing;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;

/** A short greedy generation in a fresh context, for tests that compare hooked and plain runs. */
public final class Greedy {

    /** The prompt's length in tokens and the tokens generated after it. */
    public record Generation(int promptLength, int[] tokens) {
    }

    private Greedy() {
    }

    /** "Once upon a time" (BOS first), then 8 greedy decode steps, in a 64-token context on 2 threads. */
    public static Generation generate(LoadedModel model, LayerHook hook) {
        try (EngineContext ctx = model.newContext(ContextConfig.defaults(64, 2), hook)) {
            int[] prompt = ctx.tokenize("Once upon a time", true);
            ctx.prefill(prompt);
            int[] out = new int[8];
            for (int i = 0; i < out.length; i++) {
                out[i] = ctx.greedyToken();
                ctx.decode(out[i]);
            }
            return new Generation(prompt.length, out);
        }
    }
}
