package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.emulator.tier.Bandwidth;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.Greedy;
import dev.tierlab.inference.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CopyModeTest {

    static final TierSpec HBM = TierSpec.nativeTier("hbm", TierClass.HBM);
    static final TierSpec FLASH = new TierSpec("flash", TierClass.FLASH, 0, new Bandwidth.Absolute(2e9), new Bandwidth.Absolute(2e9),
            64 * 1024, 4, new LatencyDistribution.Fixed(10_000), new LatencyDistribution.Fixed(10_000));

    static Emulator.Config config(Placement p) {
        return new Emulator.Config(Map.of("hbm", HBM, "flash", FLASH), p, null, 1, 3, 1);
    }

    @Test
    void weightsComputedFromStagedCopiesGiveTheSameTokensAndAreCharged() {
        try (LoadedModel model = new JavaEngine().load(TestModels.tiny(QuantMix.Q8_0))) {
            int[] plain = Greedy.generate(model, LayerHook.NONE).tokens();
            CopyMode copy = CopyMode.create(config(new Placement(List.of(new WeightRule("flash", "blk.*", 1, 2, null, 1)), List.of(), "hbm")),
                    model, Injector.calibrated());
            int[] copied = Greedy.generate(model, copy).tokens();
            assertArrayEquals(plain, copied, "layers 1 and 2 computed from the staging buffers");
            LedgerSummary s = copy.takeSummary();
            JavaModel jm = (JavaModel) model;
            long perStep = 0;
            for (int l = 1; l <= 2; l++) {
                perStep += jm.layers.get(l).matrices().stream().mapToLong(Weight::bytes).sum();
            }
            LedgerSummary.TierSummary flash = s.tiers().stream().filter(t -> t.tier().equals("flash")).findFirst().orElseThrow();
            assertEquals(9 * perStep, flash.bytesRead(), "prompt + 8 decode steps each copy layers 1-2");
            assertTrue(flash.stallNanos() > 0);
            assertEquals(8, s.decodeSteps());
        }
    }

    @Test
    void copyModeNeedsTheJavaEngine() {
        try (LoadedModel cpp = new LlamaCppEngine().load(TestModels.tiny(QuantMix.Q8_0))) {
            assertThrows(IllegalArgumentException.class, () -> CopyMode.create(config(Placement.allOn("flash")), cpp, Injector.of(0, 0)));
        }
    }

    @Test
    void spilledKvIsReadBackThroughTheCopyEngineAndAttentionUsesTheCopies() {
        try (LoadedModel model = new JavaEngine().load(TestModels.tiny(QuantMix.Q8_0))) {
            int[] plain = Greedy.generate(model, LayerHook.NONE).tokens();
            // the newest 2 positions stay on hbm, older ones live on flash
            CopyMode copy = CopyMode.create(config(new Placement(List.of(),
                    List.of(new KvRule("hbm", null, null, 2), new KvRule("flash", null, null, null)), "hbm")), model, Injector.calibrated());
            Greedy.Generation run = Greedy.generate(model, copy);
            int[] copied = run.tokens();
            assertArrayEquals(plain, copied);
            LedgerSummary s = copy.takeSummary();
            JavaModel jm = (JavaModel) model;
            long kvPerPosition = 2L * 2 * jm.nHeadKv * jm.headDim; // K and V, f16
            int prompt = run.promptLength();
            long expected = 0;
            for (int step = 1; step <= 8; step++) {
                int past = prompt + step - 1;      // positions in the cache before this decode step
                int end = past + 1;
                int spilled = Math.min(past, Math.max(0, end - 2));
                expected += (long) spilled * kvPerPosition * jm.nLayer;
            }
            LedgerSummary.TierSummary flash = s.tiers().stream().filter(t -> t.tier().equals("flash")).findFirst().orElseThrow();
            assertEquals(expected, flash.bytesRead());
            assertTrue(flash.stallNanos() > 0);
        }
    }
}
