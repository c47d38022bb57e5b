package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.TestModels;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Java engine against llama.cpp on the same synthesized models and prompt ids. */
class JavaEngineTest {

    static final String PROMPT = "Once upon a time the memory of the model";

    record Run(int[] prompt, int[] tokens, float[] firstLogits) {
    }

    static Run greedy(LoadedModel model, int n, boolean readLogits) {
        try (EngineContext ctx = model.newContext(ContextConfig.defaults(128, 2), LayerHook.NONE)) {
            int[] prompt = ctx.tokenize(PROMPT, true);
            ctx.prefill(prompt);
            float[] logits = readLogits ? logits(ctx) : null;
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = ctx.greedyToken();
                ctx.decode(out[i]);
            }
            return new Run(prompt, out, logits);
        }
    }

    private static float[] logits(EngineContext ctx) {
        if (ctx instanceof JavaContext j) {
            return j.logits();
        }
        return dev.tierlab.inference.llamacpp.LlamaCppTestAccess.logits(ctx);
    }

    @ParameterizedTest
    @EnumSource(value = QuantMix.class, names = {"F32", "F16"})
    void greedyTokensMatchLlamaCppForSixteenTokens(QuantMix mix) {
        Path file = TestModels.model("tiny", mix, null);
        Run cpp;
        try (LoadedModel m = new LlamaCppEngine().load(file)) {
            cpp = greedy(m, 16, false);
        }
        Run java;
        try (LoadedModel m = new JavaEngine().load(file)) {
            java = greedy(m, 16, false);
        }
        assertArrayEquals(cpp.prompt(), java.prompt(), "the Java SPM tokenizer agrees with llama.cpp's");
        assertArrayEquals(cpp.tokens(), java.tokens(), "greedy tokens, llama.cpp " + Arrays.toString(cpp.tokens()));
        assertTrue(Arrays.stream(cpp.tokens()).distinct().count() > 2, "a non-trivial sequence");
    }

    /**
     * Quantized weights: llama.cpp also quantizes the activations (to q8_0 / q8_K) before its dot
     * products, the Java engine keeps them in f32, so logits differ by rounding. Tolerance: the largest
     * logit difference stays under 2% of the logits' spread (max - min), and the top token agrees.
     */
    @ParameterizedTest
    @EnumSource(value = QuantMix.class, names = {"Q8_0", "Q4_0", "Q4_K_M"})
    void quantizedLogitsAgreeWithinTolerance(QuantMix mix) {
        Path file = TestModels.model("tiny", mix, null);
        Run cpp;
        try (LoadedModel m = new LlamaCppEngine().load(file)) {
            cpp = greedy(m, 1, true);
        }
        Run java;
        try (LoadedModel m = new JavaEngine().load(file)) {
            java = greedy(m, 1, true);
        }
        float[] a = cpp.firstLogits();
        float[] b = java.firstLogits();
        assertEquals(a.length, b.length);
        double spread = max(a) - min(a);
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        System.out.printf("%s: max |diff| %.4f, spread %.4f%n", mix, maxDiff, spread);
        assertTrue(maxDiff < 0.02 * spread, "%s: max |diff| %.4f vs spread %.4f".formatted(mix, maxDiff, spread));
        assertEquals(cpp.tokens()[0], java.tokens()[0], "top token");
    }

    @org.junit.jupiter.api.Test
    void coldAndWarmRunsGiveBitIdenticalLogits() {
        try (LoadedModel m = new JavaEngine().load(TestModels.model("tiny", QuantMix.Q8_0, 2))) {
            float[] cold = greedy(m, 1, true).firstLogits();
            for (int i = 0; i < 20; i++) {
                greedy(m, 4, false);
            }
            assertArrayEquals(cold, greedy(m, 1, true).firstLogits(), "JIT warm-up must not change a single bit");
        }
    }

    private static double max(float[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static double min(float[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (float x : v) {
            m = Math.min(m, x);
        }
        return m;
    }
}
