package dev.tierlab.inference.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.Greedy;
import dev.tierlab.inference.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The emulator driven by real llama.cpp generations: what it charges, and that it changes no result. */
class EmulatedLlamaCppTest {

    static final TierSpec HBM = TierSpec.nativeTier("hbm", TierClass.HBM);
    static final TierSpec FLASH = new TierSpec("flash", TierClass.FLASH, 0, new Bandwidth.Absolute(2e9),
            new Bandwidth.Absolute(1e9), 64 * 1024, 4, new LatencyDistribution.Fixed(5_000), new LatencyDistribution.Fixed(5_000));

    @Test
    void chargesEveryDecodeStepTheBytesItsPlacementPutsOnFlash() {
        try (LoadedModel model = new LlamaCppEngine().load(TestModels.tiny(QuantMix.F16))) {
            Placement placement = new Placement(List.of(new WeightRule("flash", "blk.2.*", null, null, null, 1)),
                    List.of(new KvRule("hbm", null, null, 4), new KvRule("flash", null, null, null)), "hbm");
            EmulatedHook hook = EmulatedHook.create(new Emulator.Config(Map.of("hbm", HBM, "flash", FLASH), placement, null, 0, 1, 1),
                    model.info(), GgmlType.F16, Injector.calibrated(), false);
            int[] plain = Greedy.generate(model, LayerHook.NONE).tokens();
            hook.takeSummary();
            Greedy.Generation run = Greedy.generate(model, hook);
            int[] emulated = run.tokens();
            assertArrayEquals(plain, emulated, "emulation must not change the computation");

            LedgerSummary s = hook.takeSummary();
            long layer2 = model.info().tensors().stream().filter(t -> t.layer() == 2).mapToLong(GgufTensorInfo::byteSize).sum();
            long kvPerToken = model.info().kvBytesPerTokenPerLayer(GgmlType.F16);
            // prompt of P tokens then 8 decode steps at positions P..P+7: flash holds all but the newest 4 positions
            int p = run.promptLength();
            assertTrue(p > 4);
            long kvRead = 0;
            for (int step = 0; step <= 8; step++) {
                int end = step == 0 ? p : p + step;
                kvRead += (long) Math.max(0, end - 4) * kvPerToken * model.info().nLayer();
            }
            LedgerSummary.TierSummary flash = s.tiers().stream().filter(t -> t.tier().equals("flash")).findFirst().orElseThrow();
            assertEquals(9 * layer2 + kvRead, flash.bytesRead());
            assertEquals((long) (p - 4) * kvPerToken * model.info().nLayer(), flash.bytesWritten(),
                    "the prompt positions older than the newest 4 are written to flash");
            assertTrue(flash.stallNanos() > 0);
            assertEquals(8, s.decodeSteps());
        }
    }
}
