package dev.tierlab.inference.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.emulator.timeline.Trace;
import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.emulation.RoutingRecorder;
import dev.tierlab.inference.emulation.StepRouting;
import dev.tierlab.inference.engine.BatchContext;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.model.QuantMix;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching reports routing too: a batched step's experts per block, through the eval
 * callback on a multi-sequence context, are the union of what each of its tokens routes to alone
 * (a synthesized router depends only on the token), and the serving step's reference charges them.
 */
class BatchedRoutingTest {

    static final int[] TOKENS = {101, 2002, 7777};

    @Test
    void aBatchedStepRoutesTheUnionOfItsTokensExperts() {
        var file = MoeModels.file("olmoe-1b-7b", 2, 1.0, QuantMix.F16);
        try (LoadedModel model = new LlamaCppEngine().load(file)) {
            int layers = model.info().nLayer();
            long[] union = new long[layers];
            for (int t : TOKENS) {
                RoutingRecorder rec = new RoutingRecorder(layers);
                try (EngineContext ctx = model.newContext(ContextConfig.defaults(16, 1), rec)) {
                    ctx.decode(t);
                }
                var alone = rec.trace("one token", model.info().nExpert());
                for (int l = 0; l < layers; l++) {
                    union[l] |= alone.mask(0, l);
                }
            }
            StepRouting routing = new StepRouting(layers);
            long[] batched;
            try (BatchContext b = model.newBatchContext(new ContextConfig(64, 8, 8, 1, 1, GgmlType.F16), 3, routing)) {
                b.step(3, TOKENS, new int[] {0, 1, 2}, new int[] {0, 0, 0}, new boolean[] {true, true, true});
                batched = routing.lastStep();
            }
            assertNotNull(batched, "the batched step reported its routing");
            assertArrayEquals(union, batched, "per block: the union of the three tokens' experts");
            for (long m : batched) {
                assertTrue(Long.bitCount(m) > model.info().nExpertUsed(), "three tokens route to more experts than one");
            }

            // The serving step's reference reads those experts only: fewer bytes than every expert.
            var geo = EmulatedHook.geometry(model.info(), GgmlType.F16);
            var cfg = RoutedExpertAccountingTest.allWeightsOnFlash(null);
            Trace all = Trace.batched(new int[][] {{1, 1, 1}}, new int[][] {{0, 0, 0}});
            long routedBytes = ReferenceTimeline.compute(cfg, geo, all.withExperts(new long[][] {batched}), null, false)
                    .tiers().get("hbf").bytesRead();
            long allBytes = ReferenceTimeline.compute(cfg, geo, all, null, false).tiers().get("hbf").bytesRead();
            assertTrue(routedBytes < allBytes, routedBytes + " < " + allBytes);
        }
    }
}
