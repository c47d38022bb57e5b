package dev.tierlab.inference.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import dev.tierlab.inference.model.SyntheticRouter;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Synthesized mixture-of-experts models on the bundled llama.cpp (b4916): they load, generate, and route. */
class MoeLlamaCppTest {

    /**
     * Counts each layer's expert selections, checking every token's k ids are distinct and in range;
     * tokens are counted at the first mixture-of-experts block {@code first} (after any leading dense blocks).
     */
    static final class RoutingHook implements LayerHook.RoutingObserver {
        final long[][] counts;
        final int nExpert;
        final int first;
        int calls;
        int tokens;

        RoutingHook(int nLayer, int nExpert, int first) {
            this.counts = new long[nLayer][nExpert];
            this.nExpert = nExpert;
            this.first = first;
        }

        @Override
        public void expertsRouted(int layer, int nTokens, int k, int[] experts) {
            calls++;
            if (layer < first) {
                throw new AssertionError("layer %d is a dense block but routed %d tokens".formatted(layer, nTokens));
            }
            if (layer == first) {
                tokens += nTokens;
            }
            for (int t = 0; t < nTokens; t++) {
                int[] ids = Arrays.copyOfRange(experts, t * k, t * k + k);
                if (Arrays.stream(ids).distinct().count() != k || Arrays.stream(ids).anyMatch(e -> e < 0 || e >= nExpert)) {
                    throw new AssertionError("layer %d token %d: bad expert ids %s".formatted(layer, t, Arrays.toString(ids)));
                }
                for (int e : ids) {
                    counts[layer][e]++;
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"olmoe-1b-7b, f16", "qwen1.5-moe-a2.7b, f16", "mixtral-8x7b, f16", "olmoe-1b-7b, q4_k_m", "qwen1.5-moe-a2.7b, q4_k_m",
            "deepseek-v2-lite, f16", "deepseek-v2-lite, q4_k_m"})
    void loadsGeneratesAndReportsEveryTokensExperts(String preset, String quant) {
        // Two mixture-of-experts blocks after the preset's leading dense ones (deepseek2 has one).
        int first = MoeModels.tiny(preset, 2, 1.0).moe().nLeadingDense();
        int layers = first + 2;
        var file = MoeModels.file(preset, layers, 1.0, QuantMix.byName(quant).orElseThrow());
        try (LoadedModel model = new LlamaCppEngine().load(file)) {
            assertTrue(model.info().isMoe());
            assertEquals(layers, model.info().nLayer());
            int nExpert = model.info().nExpert();
            int k = model.info().nExpertUsed();
            RoutingHook hook = new RoutingHook(layers, nExpert, first);
            try (EngineContext ctx = model.newContext(ContextConfig.defaults(256, 2), hook)) {
                int[] prompt = ctx.tokenize("Once upon a time there was a mixture of experts", true);
                ctx.prefill(prompt);
                int[] out = new int[8];
                for (int i = 0; i < out.length; i++) {
                    out[i] = ctx.greedyToken();
                    ctx.decode(out[i]);
                }
                assertTrue(Arrays.stream(out).allMatch(t -> t >= 0 && t < MoeModels.VOCAB));
                assertEquals(prompt.length + out.length, hook.tokens, "every token's routing seen once per layer");
                assertEquals(2L * (1 + out.length), hook.calls, "one top-k read per mixture-of-experts layer and micro-batch");
                assertEquals((long) k * hook.tokens, Arrays.stream(hook.counts[first]).sum());
                // llama.cpp computes the last block only for tokens whose logits it outputs: one per micro-batch.
                assertEquals((long) k * (1 + out.length), Arrays.stream(hook.counts[layers - 1]).sum());
            }
        }
    }

    /**
     * DeepSeek-V2-Lite's own attention, a plain attn_q with no q_lora_rank, which b4916 accepts only from a
     * 27-block deepseek2 model: all 27 blocks, at width 128 with experts 32 wide (about 40 MB in f16).
     */
    @org.junit.jupiter.api.Test
    void deepseekV2LiteAtFullDepthLoadsWithItsPlainQuery() throws java.io.IOException {
        var p = dev.tierlab.inference.model.Presets.byName("deepseek-v2-lite").orElseThrow().scaledDown(27, 128, 32, MoeModels.VOCAB);
        assertEquals(0, p.mla().qLoraRank());
        var file = java.nio.file.Files.createTempFile("tierlab-deepseek2-27", ".gguf");
        try {
            SyntheticModel.write(p, QuantMix.F16, SyntheticModel.DEFAULT_SEED, file, dev.tierlab.inference.gguf.GgufWriter.Progress.NONE);
            try (LoadedModel model = new LlamaCppEngine().load(file)) {
                assertTrue(model.info().tensors().stream().anyMatch(t -> t.name().equals("blk.5.attn_q.weight")));
                RoutingHook hook = new RoutingHook(27, 64, 1);
                try (EngineContext ctx = model.newContext(ContextConfig.defaults(256, 2), hook)) {
                    int[] prompt = ctx.tokenize("Once upon a time there was a mixture of experts", true);
                    ctx.prefill(prompt);
                    for (int i = 0; i < 4; i++) {
                        int t = ctx.greedyToken();
                        assertTrue(t >= 0 && t < MoeModels.VOCAB);
                        ctx.decode(t);
                    }
                    assertEquals(prompt.length + 4, hook.tokens);
                    assertEquals(26L * 5, hook.calls, "26 mixture-of-experts blocks, 5 micro-batches");
                }
            }
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /**
     * The configured skew comes back out of llama.cpp's own routing: 1500 distinct random prompt tokens
     * through 4 mixture-of-experts blocks after any leading dense ones (the last block routes only the
     * output token, so three count): 3 x 1500 x k selections (36,000 at top-8, 27,000 at deepseek2's top-6),
     * by the synthesizer's per-layer ranking, fitted by {@link SyntheticRouter#fitZipf}.
     * Tolerance: 0.1 in s (the sampling error of this many selections is a few hundredths).
     */
    @ParameterizedTest
    @CsvSource({"olmoe-1b-7b, 0.5", "olmoe-1b-7b, 1.5", "mixtral-8x7b, 1.0", "deepseek-v2-lite, 1.0"})
    void measuredRoutingHistogramFitsBackTheConfiguredSkew(String preset, double zipf) {
        int first = MoeModels.tiny(preset, 4, zipf).moe().nLeadingDense();
        int layers = first + 4;
        var file = MoeModels.file(preset, layers, zipf, QuantMix.F16);
        try (LoadedModel model = new LlamaCppEngine().load(file)) {
            int nExpert = model.info().nExpert();
            int k = model.info().nExpertUsed();
            RoutingHook hook = new RoutingHook(layers, nExpert, first);
            try (EngineContext ctx = model.newContext(ContextConfig.defaults(2048, 2), hook)) {
                ctx.prefill(randomTokens(1500, 7));
            }
            long[] byRank = new long[nExpert];
            for (int l = first; l < layers - 1; l++) {
                int[] ranking = SyntheticRouter.ranking(SyntheticModel.DEFAULT_SEED, l, nExpert);
                for (int r = 0; r < nExpert; r++) {
                    byRank[r] += hook.counts[l][ranking[r]];
                }
            }
            double fitted = SyntheticRouter.fitZipf(byRank, k);
            System.out.printf("routing %s s=%.2f: fitted %.3f; by rank %s%n", preset, zipf, fitted, Arrays.toString(byRank));
            assertEquals(zipf, fitted, 0.1, "fitted zipf exponent; selections by rank " + Arrays.toString(byRank));
        }
    }

    /** Random distinct tokens, as llama-bench prompts them. */
    static int[] randomTokens(int n, long seed) {
        return new SplittableRandom(seed).ints(1, MoeModels.VOCAB).distinct().limit(n).toArray();
    }
}
