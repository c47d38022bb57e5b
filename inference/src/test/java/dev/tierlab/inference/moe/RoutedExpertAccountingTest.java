package dev.tierlab.inference.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.WeightCache;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.emulator.reference.ReferencePresets;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierPresets;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.emulator.timeline.ModelGeometry;
import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.emulator.timeline.TimelineConfig;
import dev.tierlab.emulator.timeline.Trace;
import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.emulation.TimelineHook;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.model.ModelInfo;
import dev.tierlab.inference.model.QuantMix;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Routed-expert accounting on real llama.cpp: the experts each step reads come from the
 * {@code ffn_moe_topk} node through the eval callback, and the reference timeline charges only theirs.
 */
class RoutedExpertAccountingTest {

    static final int LAYERS = 3;
    static final int DECODE = 16;

    /** A trace recorded by the timeline hook: a 64-token prompt, then DECODE random tokens, llama-bench style. */
    static Trace record(LoadedModel model) {
        TimelineHook hook = new TimelineHook(model.info().nLayer(), 1 + DECODE, Injector.of(0, 0));
        SplittableRandom rnd = new SplittableRandom(3);
        try (EngineContext ctx = model.newContext(ContextConfig.defaults(256, 2), hook)) {
            hook.beginMeasurement();
            ctx.prefill(rnd.ints(64, 1, MoeModels.VOCAB).toArray());
            for (int i = 0; i < DECODE; i++) {
                ctx.decode(rnd.nextInt(1, MoeModels.VOCAB));
            }
            hook.endMeasurement();
        }
        return new Trace(hook.tokens(), hook.past(), hook.expertMasks());
    }

    static TimelineConfig allWeightsOnFlash(WeightCache cache) {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("hbm", TierSpec.nativeTier("hbm", TierClass.HBM));
        tiers.put("hbf", TierPresets.byName("hbf").orElseThrow().withName("hbf"));
        Placement p = new Placement(List.of(WeightRule.all("hbf")), List.of(new KvRule("hbm", null, null, null)), "hbm");
        return new TimelineConfig(ReferencePresets.byName("h200").orElseThrow(), tiers, p, cache, 0, null, 42);
    }

    /**
     * q8_0 rather than q4_k_m: at these models' width of 256 a q4_K embedding row is one block, all of
     * it the router's anchor, so every token would route alike and the test would see one routing.
     */
    @ParameterizedTest
    @CsvSource({"olmoe-1b-7b, q8_0", "qwen1.5-moe-a2.7b, q8_0", "mixtral-8x7b, f16", "deepseek-v2-lite, q8_0"})
    void decodeReadsOnlyTheRoutedExpertsPlusSharedAndDenseTensors(String preset, String quant) {
        var file = MoeModels.file(preset, LAYERS, 1.0, QuantMix.byName(quant).orElseThrow());
        try (LoadedModel model = new LlamaCppEngine().load(file)) {
            ModelInfo info = model.info();
            Trace trace = record(model);
            assertNotNull(trace.experts(), "routing was read");
            assertEquals(1 + DECODE, trace.steps());
            // Decode steps only: each token routes to exactly nExpertUsed distinct experts per block.
            int[] tok = Arrays.copyOfRange(trace.nTokens(), 1, trace.steps());
            int[] past = Arrays.copyOfRange(trace.nPast(), 1, trace.steps());
            long[][] experts = Arrays.copyOfRange(trace.experts(), 1, trace.steps());
            int first = MoeModels.tiny(preset, LAYERS, 1.0).moe().nLeadingDense();
            for (long[] step : experts) {
                for (int l = 0; l < step.length; l++) {
                    assertEquals(l < first ? 0 : info.nExpertUsed(), Long.bitCount(step[l]), "block " + l);
                }
            }
            assertTrue(Arrays.stream(experts).map(Arrays::toString).distinct().count() > 1, "tokens route to different experts");
            Trace decode = new Trace(tok, past, experts);
            ModelGeometry geo = EmulatedHook.geometry(info, GgmlType.F16);
            var r = ReferenceTimeline.compute(allWeightsOnFlash(null), geo, decode, null, false);
            double perToken = r.tiers().get("hbf").bytesRead() / (double) DECODE;

            double expected = expectedPerDecodeToken(info);
            double total = info.tensors().stream().mapToLong(GgufTensorInfo::byteSize).sum();
            System.out.printf("%s %s: %.0f bytes read per decode token, expected %.0f (%.3f), model %.0f%n", preset, quant,
                    perToken, expected, perToken / expected, total);
            assertEquals(1.0, perToken / expected, 0.03, "bytes per decode token vs routed + shared + dense tensors");
            assertTrue(perToken < 0.6 * total, "not the whole model");
        }
    }

    /**
     * Expected from the GGUF tensor sizes alone: dense and shared tensors whole, one embedding row, and
     * nExpertUsed of nExpert slabs of each routed tensor.
     */
    static double expectedPerDecodeToken(ModelInfo info) {
        double expected = 0;
        for (GgufTensorInfo t : info.tensors()) {
            if (t.name().equals("token_embd.weight")) {
                expected += t.byteSize() / (double) t.dim(1);
            } else if (ModelInfo.isRoutedExperts(t.name())) {
                expected += t.byteSize() * (double) info.nExpertUsed() / info.nExpert();
            } else {
                expected += t.byteSize();
            }
        }
        return expected;
    }

    /**
     * The v1 emulator ({@code bench --emulate --mode inject}): every weight on a lower tier, the bytes its
     * ledger reads per decode token are the routed experts' slabs plus the dense and shared tensors.
     */
    @ParameterizedTest
    @CsvSource({"olmoe-1b-7b, q8_0", "qwen1.5-moe-a2.7b, q8_0"})
    void theV1EmulatorReadsOnlyTheRoutedExperts(String preset, String quant) {
        var file = MoeModels.file(preset, LAYERS, 1.0, QuantMix.byName(quant).orElseThrow());
        try (LoadedModel model = new LlamaCppEngine().load(file)) {
            ModelInfo info = model.info();
            Map<String, TierSpec> tiers = new LinkedHashMap<>();
            tiers.put("hbm", TierSpec.nativeTier("hbm", TierClass.HBM));
            tiers.put("hbf", TierPresets.byName("hbf").orElseThrow().withName("hbf"));
            Placement p = new Placement(List.of(WeightRule.all("hbf")), List.of(new KvRule("hbm", null, null, null)), "hbm");
            // 1 TB/s as the base of relative bandwidths: the holds stay short.
            var config = new dev.tierlab.emulator.Emulator.Config(tiers, p, null, 1, 42, 1e12);
            EmulatedHook hook = EmulatedHook.create(config, info, GgmlType.F16, Injector.of(0, 0), false);
            assertTrue(hook.observesRouting());
            SplittableRandom rnd = new SplittableRandom(3);
            long perToken;
            try (EngineContext ctx = model.newContext(ContextConfig.defaults(256, 2), hook)) {
                ctx.prefill(rnd.ints(64, 1, MoeModels.VOCAB).toArray());
                hook.takeSummary();
                for (int i = 0; i < DECODE; i++) {
                    ctx.decode(rnd.nextInt(1, MoeModels.VOCAB));
                }
                perToken = hook.emulator().ledger().tier("hbf").bytesRead() / DECODE;
            }
            double expected = expectedPerDecodeToken(info);
            System.out.printf("v1 %s %s: %d bytes read per decode token, expected %.0f (%.3f)%n", preset, quant, perToken, expected,
                    perToken / expected);
            assertEquals(1.0, perToken / expected, 0.03, "bytes per decode token vs routed + shared + dense tensors");
        }
    }
}
