package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.emulator.placement.ExpertSelector;
import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.inference.emulation.TimelineHook;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgufFormatException;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.gguf.GgufWriter;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.model.ModelInfo;
import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java engine's mixture-of-experts forward against llama.cpp b4916 on scaled-down models of the
 * three MoE architectures (real expert counts and top-k): Mixtral ({@code llama} with experts, chosen
 * weights renormalised), OLMoE (q/k norms, no renormalisation) and Qwen1.5-MoE (shared expert).
 */
class JavaMoeTest {

    static final int VOCAB = 4096;
    static final int LAYERS = 2;
    private static final ConcurrentHashMap<String, Path> CACHE = new ConcurrentHashMap<>();
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("tierlab-java-moe");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ModelPreset tiny(String preset) {
        return Presets.byName(preset).orElseThrow().scaledDown(LAYERS, 256, 256, VOCAB);
    }

    /**
     * A scaled-down model; {@code randomProjections}: attention and expert outputs are random, so the
     * expert arithmetic reaches the logits (the calibrated files zero them to make routing the stated skew).
     */
    static Path file(String preset, QuantMix mix, boolean randomProjections) {
        String key = "%s-%s-%s".formatted(preset, mix.label(), randomProjections ? "random" : "calibrated");
        return CACHE.computeIfAbsent(key, k -> {
            Path out = DIR.resolve(k + ".gguf");
            try {
                if (randomProjections) {
                    SyntheticModel.writeWithRandomProjections(tiny(preset), mix, SyntheticModel.DEFAULT_SEED, out);
                } else {
                    SyntheticModel.write(tiny(preset), mix, SyntheticModel.DEFAULT_SEED, out, GgufWriter.Progress.NONE);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.toFile().deleteOnExit();
            return out;
        });
    }

    @ParameterizedTest
    @CsvSource({"mixtral-8x7b, f32", "mixtral-8x7b, f16", "olmoe-1b-7b, f32", "olmoe-1b-7b, f16", "qwen1.5-moe-a2.7b, f32",
            "qwen1.5-moe-a2.7b, f16"})
    void greedyTokensMatchLlamaCppForSixteenTokens(String preset, String quant) {
        Path file = file(preset, QuantMix.byName(quant).orElseThrow(), true);
        JavaEngineTest.Run cpp;
        try (LoadedModel m = new LlamaCppEngine().load(file)) {
            cpp = JavaEngineTest.greedy(m, 16, true);
        }
        JavaEngineTest.Run java;
        try (LoadedModel m = new JavaEngine().load(file)) {
            java = JavaEngineTest.greedy(m, 16, true);
        }
        assertArrayEquals(cpp.prompt(), java.prompt());
        assertArrayEquals(cpp.tokens(), java.tokens(), "%s %s greedy tokens, llama.cpp %s".formatted(preset, quant, Arrays.toString(cpp.tokens())));
        // Random models may repeat one token; the prompt's logits then carry the check: far tighter than a quantized file's 2%.
        double[] d = diffAndSpread(cpp.firstLogits(), java.firstLogits());
        System.out.printf("%s %s: %d distinct tokens, max |diff| %.6f, spread %.4f%n", preset, quant,
                Arrays.stream(cpp.tokens()).distinct().count(), d[0], d[1]);
        assertTrue(d[0] < 0.001 * d[1], "%s %s: max |diff| %.6f vs spread %.4f".formatted(preset, quant, d[0], d[1]));
    }

    /** The largest absolute logit difference, and the spread (max - min) of {@code a}. */
    static double[] diffAndSpread(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, a[i]);
            min = Math.min(min, a[i]);
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        return new double[] {maxDiff, max - min};
    }

    /** Quantized experts: the tolerance of {@link JavaEngineTest#quantizedLogitsAgreeWithinTolerance} (2% of the logits' spread). */
    @ParameterizedTest
    @CsvSource({"mixtral-8x7b, q8_0", "olmoe-1b-7b, q4_k_m", "qwen1.5-moe-a2.7b, q8_0"})
    void quantizedLogitsAgreeWithinTolerance(String preset, String quant) {
        Path file = file(preset, QuantMix.byName(quant).orElseThrow(), true);
        JavaEngineTest.Run cpp;
        try (LoadedModel m = new LlamaCppEngine().load(file)) {
            cpp = JavaEngineTest.greedy(m, 1, true);
        }
        JavaEngineTest.Run java;
        try (LoadedModel m = new JavaEngine().load(file)) {
            java = JavaEngineTest.greedy(m, 1, true);
        }
        double[] d = diffAndSpread(cpp.firstLogits(), java.firstLogits());
        System.out.printf("%s %s: max |diff| %.4f, spread %.4f%n", preset, quant, d[0], d[1]);
        assertTrue(d[0] < 0.02 * d[1], "%s %s: max |diff| %.4f vs spread %.4f".formatted(preset, quant, d[0], d[1]));
        assertEquals(cpp.tokens()[0], java.tokens()[0], "top token");
    }

    /** Per step and block, the experts each engine routed to, for a 48-token prompt and 12 decode tokens. */
    static long[][] routing(LoadedModel model) {
        TimelineHook hook = new TimelineHook(model.info().nLayer(), 13, Injector.of(0, 0));
        SplittableRandom rnd = new SplittableRandom(5);
        try (EngineContext ctx = model.newContext(ContextConfig.defaults(128, 2), hook)) {
            hook.beginMeasurement();
            ctx.prefill(rnd.ints(48, 1, VOCAB).toArray());
            for (int i = 0; i < 12; i++) {
                ctx.decode(rnd.nextInt(1, VOCAB));
            }
            hook.endMeasurement();
        }
        return hook.expertMasks();
    }

    /**
     * On a calibrated file (zero output projections) routing depends only on the token, so both engines
     * must route every step and block alike; the prefill step's last block routes only the token whose
     * logits are wanted, in both.
     */
    @ParameterizedTest
    @CsvSource({"mixtral-8x7b, f16", "olmoe-1b-7b, q8_0", "qwen1.5-moe-a2.7b, q8_0"})
    void routedExpertsEqualLlamaCppsOnACalibratedModel(String preset, String quant) {
        Path file = file(preset, QuantMix.byName(quant).orElseThrow(), false);
        long[][] cpp;
        try (LoadedModel m = new LlamaCppEngine().load(file)) {
            cpp = routing(m);
        }
        long[][] java;
        try (LoadedModel m = new JavaEngine().load(file)) {
            java = routing(m);
        }
        assertNotNull(java, "the Java engine reported routing");
        assertEquals(13, java.length);
        int k = Presets.byName(preset).orElseThrow().moe().nExpertUsed();
        for (int step = 1; step < 13; step++) {
            for (long layer : java[step]) {
                assertEquals(k, Long.bitCount(layer), "decode step %d routes k experts per block".formatted(step));
            }
        }
        assertEquals(k, Long.bitCount(java[0][LAYERS - 1]), "the prefill's last block routes only the output token");
        // Not vacuous: the prompt's tokens route to more than k experts. (With n_embd 256, a q4_K embedding row is
        // all anchor block, so every token would route alike: these files use f16 and q8_0 embeddings.)
        assertTrue(Long.bitCount(java[0][0]) > k, "the prompt's tokens route differently: " + Long.toBinaryString(java[0][0]));
        for (int step = 0; step < 13; step++) {
            assertArrayEquals(cpp[step], java[step], "step %d: expert masks per block (llama.cpp %s, java %s)".formatted(step,
                    Arrays.toString(cpp[step]), Arrays.toString(java[step])));
        }
    }

    static final int DECODE = 12;

    /**
     * Copy mode with every weight on flash: a decode token stages each block's dense matrices (attention,
     * router, shared expert) and only the k routed experts' matrices, and computes the same tokens.
     */
    @ParameterizedTest
    @CsvSource({"olmoe-1b-7b, q8_0", "qwen1.5-moe-a2.7b, q4_k_m"})
    void copyModeStagesOnlyTheRoutedExperts(String preset, String quant) {
        Path file = file(preset, QuantMix.byName(quant).orElseThrow(), true);
        try (LoadedModel model = new JavaEngine().load(file)) {
            int[] plain = decode(model, LayerHook.NONE, null);
            Placement onFlash = new Placement(List.of(WeightRule.all("flash")), List.of(new KvRule("hbm", null, null, null)), "hbm");
            CopyMode copy = CopyMode.create(CopyModeTest.config(onFlash), model, Injector.calibrated());
            long[] bytes = new long[1];
            int[] copied = decode(model, copy, bytes);
            assertArrayEquals(plain, copied, "experts computed from their staged copies");

            ModelInfo info = model.info();
            double expected = 0;
            double dense = 0;
            for (GgufTensorInfo t : info.tensors()) {
                if (t.layer() < 0 || t.nDims() < 2) {
                    continue; // copy mode stages block matrices; norms and biases are read in place
                }
                if (ModelInfo.isRoutedExperts(t.name())) {
                    expected += t.byteSize() * (double) info.nExpertUsed() / info.nExpert();
                } else {
                    expected += t.byteSize();
                    dense += t.byteSize();
                }
            }
            double perToken = bytes[0] / (double) DECODE;
            System.out.printf("%s %s copy mode: %.0f bytes staged per decode token, expected %.0f (%.4f); dense %.0f%n", preset, quant,
                    perToken, expected, perToken / expected, dense);
            assertEquals(1.0, perToken / expected, 0.03, "staged bytes per decode token vs dense + k experts per block");
        }
    }

    /**
     * An {@code experts: 0-3} rule puts only those experts of each block on flash: a decode step copies
     * exactly the chosen experts among them, as a recorded routing of the same tokens says.
     */
    @Test
    void copyModeStagesTheChosenExpertsThatAnIndexRulePutsOnFlash() {
        try (LoadedModel model = new JavaEngine().load(file("mixtral-8x7b", QuantMix.Q8_0, true))) {
            TimelineHook routingHook = new TimelineHook(model.info().nLayer(), DECODE, Injector.of(0, 0));
            int[] plain = decode(model, routingHook, null);
            long[][] masks = routingHook.expertMasks();
            assertEquals(DECODE, masks.length);
            Placement low = new Placement(List.of(new WeightRule("flash", null, null, null, null, 1, null, ExpertSelector.range(0, 3))),
                    List.of(), "hbm");
            CopyMode copy = CopyMode.create(CopyModeTest.config(low), model, Injector.calibrated());
            long[] bytes = new long[1];
            assertArrayEquals(plain, decode(model, copy, bytes));
            JavaModel jm = (JavaModel) model;
            long expected = 0;
            int onFlash = 0;
            for (long[] step : masks) {
                for (int l = 0; l < step.length; l++) {
                    for (long bits = step[l] & 0xF; bits != 0; bits &= bits - 1) {
                        expected += jm.layers.get(l).experts().expertBytes(Long.numberOfTrailingZeros(bits));
                        onFlash++;
                    }
                }
            }
            System.out.printf("experts 0-3 on flash: %d of %d chosen experts, %d bytes staged, expected %d%n", onFlash,
                    DECODE * LAYERS * 2, bytes[0], expected);
            assertTrue(onFlash > 0 && onFlash < DECODE * LAYERS * 2, "some chosen experts are on flash, some not");
            assertEquals(expected, bytes[0]);
        }
    }

    /** Greedy decode of DECODE tokens after a fixed prompt; with copy mode, {@code decodeBytes[0]} gets the flash bytes of the decode. */
    private static int[] decode(LoadedModel model, LayerHook hook, long[] decodeBytes) {
        try (EngineContext ctx = model.newContext(ContextConfig.defaults(128, 2), hook)) {
            ctx.prefill(ctx.tokenize(JavaEngineTest.PROMPT, true));
            if (hook instanceof CopyMode c) {
                c.takeSummary();
            }
            hook.beginMeasurement();
            int[] out = new int[DECODE];
            for (int i = 0; i < DECODE; i++) {
                out[i] = ctx.greedyToken();
                ctx.decode(out[i]);
            }
            hook.endMeasurement();
            if (hook instanceof CopyMode c) {
                LedgerSummary s = c.takeSummary();
                assertEquals(DECODE, s.decodeSteps());
                LedgerSummary.TierSummary flash = s.tiers().stream().filter(t -> t.tier().equals("flash")).findFirst().orElseThrow();
                assertTrue(flash.stallNanos() > 0);
                decodeBytes[0] = flash.bytesRead();
            }
            return out;
        }
    }

    @Test
    void copyModeRefusesHotExpertRulesItCannotProfile() {
        try (LoadedModel model = new JavaEngine().load(file("mixtral-8x7b", QuantMix.Q8_0, true))) {
            Placement hot = new Placement(List.of(new WeightRule("hbm", null, null, null, null, 1, null, ExpertSelector.hottest(2)),
                    WeightRule.all("flash")), List.of(), "hbm");
            var e = assertThrows(IllegalArgumentException.class, () -> CopyMode.create(CopyModeTest.config(hot), model, Injector.of(0, 0)));
            assertTrue(e.getMessage().contains("hot N"), e.getMessage());
        }
    }

    /** The CUDA engine loads its weights through {@link HostWeights}, which has no expert path: refused in one line. */
    @Test
    void hostWeightsForTheCudaEngineRefuseMixtureOfExperts() {
        var e = assertThrows(GgufFormatException.class, () -> HostWeights.open(file("mixtral-8x7b", QuantMix.Q8_0, true)).close());
        assertTrue(e.getMessage().contains("not supported by the CUDA engine"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void architecturesWithoutAJavaForwardAreRefusedInOneLine() throws IOException {
        ModelPreset p = Presets.byName("tiny").orElseThrow();
        ModelPreset phi = new ModelPreset("phi", "phi3", p.nEmbd(), 1, p.nHead(), p.nHeadKv(), p.headDim(), p.nFf(), 512,
                p.contextLength(), p.ropeTheta(), p.rmsEps(), false, false, false, false, 0, "test");
        Path out = DIR.resolve("phi3.gguf");
        SyntheticModel.write(phi, QuantMix.F16, 1, out, GgufWriter.Progress.NONE);
        var e = assertThrows(GgufFormatException.class, () -> new JavaEngine().load(out).close());
        assertTrue(e.getMessage().contains("architecture 'phi3' is not supported by the Java engine"), e.getMessage());
        assertTrue(e.getMessage().contains("use engine: llama.cpp"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
