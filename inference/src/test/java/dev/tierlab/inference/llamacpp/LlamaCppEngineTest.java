package dev.tierlab.inference.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.EngineCounters;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.TestModels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LlamaCppEngineTest {

    private final LlamaCppEngine engine = new LlamaCppEngine();

    @Test
    void generatesGreedilyAndDeterministicallyOnASynthesizedModel() {
        try (LoadedModel model = engine.load(TestModels.tiny(QuantMix.F16))) {
            assertEquals(model.info().params(), model.parameterCount());
            int[] first = generate(model, LayerHook.NONE);
            int[] second = generate(model, LayerHook.NONE);
            System.out.println("tokens " + Arrays.toString(first) + " desc " + model.description());
            assertArrayEquals(first, second);
            assertTrue(Arrays.stream(first).allMatch(t -> t >= 0 && t < 4096));
        }
    }

    private static int[] generate(LoadedModel model, LayerHook hook) {
        try (EngineContext ctx = model.newContext(ContextConfig.defaults(256, 2), hook)) {
            int[] prompt = ctx.tokenize("Once upon a time", true);
            assertEquals(ctx.bosToken(), prompt[0]);
            ctx.prefill(prompt);
            int[] out = new int[16];
            for (int i = 0; i < out.length; i++) {
                out[i] = ctx.greedyToken();
                ctx.decode(out[i]);
            }
            EngineCounters c = ctx.counters();
            assertEquals(prompt.length, c.nPromptEval());
            assertEquals(16, c.nEval());
            return out;
        }
    }
}
