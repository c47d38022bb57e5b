package dev.tierlab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.emulator.reference.ReferencePresets;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierPresets;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.emulator.timeline.TimelineConfig;
import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.emulation.StepRouting;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.gguf.GgufWriter;
import dev.tierlab.inference.model.ModelInfo;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import dev.tierlab.inference.serving.StepCost;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serving step's reference cost charges the experts its batch routed to: with the routing the
 * engine reported for the step, fewer expert bytes than every expert, so a shorter step, and the
 * longer the more experts the batch touched.
 */
class ServingRoutingCostTest {

    @Test
    void aServingStepCostsTheExpertsItsBatchRoutedTo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("olmoe.gguf");
        SyntheticModel.write(Presets.byName("olmoe-1b-7b").orElseThrow().scaledDown(2, 256, 256, 16384), QuantMix.Q8_0,
                SyntheticModel.DEFAULT_SEED, file, GgufWriter.Progress.NONE);
        ModelInfo info;
        try (GgufFile f = GgufFile.open(file)) {
            info = ModelInfo.of(f);
        }
        var geo = EmulatedHook.geometry(info, GgmlType.F16);
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("hbm", TierSpec.nativeTier("hbm", TierClass.HBM));
        tiers.put("hbf", TierPresets.byName("hbf").orElseThrow().withName("hbf"));
        Placement p = new Placement(List.of(WeightRule.all("hbf")), List.of(new KvRule("hbm", null, null, null)), "hbm");
        TimelineConfig tc = new TimelineConfig(ReferencePresets.byName("h200").orElseThrow(), tiers, p, null, 0, null, 42);

        int[] tokens = {1, 1};
        int[] past = {10, 20};
        long every = ServingRunner.referenceCost(tc, geo, 7, null).nanos(0, 2, tokens, past, 0);
        StepRouting routing = new StepRouting(info.nLayer());
        StepCost cost = ServingRunner.referenceCost(tc, geo, 7, routing);
        long[] step = new long[3];
        int k = info.nExpertUsed();
        for (int touched : new int[] {k, 2 * k}) {
            routing.microBatchStart(2, 0);
            int[] experts = new int[touched];
            for (int i = 0; i < touched; i++) {
                experts[i] = i;
            }
            for (int l = 0; l < info.nLayer(); l++) {
                routing.expertsRouted(l, touched / k, k, experts);
            }
            step[touched / k] = cost.nanos(0, 2, tokens, past, 0);
        }
        assertTrue(step[1] < step[2], "more experts touched, a longer step: " + step[1] + " < " + step[2]);
        assertTrue(step[2] < every, "the batch's experts, not every expert: " + step[2] + " < " + every);
        routing.microBatchStart(2, 0);
        assertEquals(every, cost.nanos(0, 2, tokens, past, 0), "a step that reported no routing is charged every expert");
    }
}
