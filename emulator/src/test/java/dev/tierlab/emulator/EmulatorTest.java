package dev.tierlab.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.ledger.TierLedger;
import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.TensorRef;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.emulator.tier.Bandwidth;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmulatorTest {

    /** Two layers of 1 MB each, a 64 KB output head; 1 KB of KV per token per layer. */
    static final List<TensorRef> TENSORS = List.of(
            new TensorRef("token_embd.weight", -1, "embeddings", 1_000_000, 1000),
            new TensorRef("blk.0.attn_q.weight", 0, "attn", 400_000, 0),
            new TensorRef("blk.0.ffn_up.weight", 0, "ffn", 600_000, 0),
            new TensorRef("blk.1.attn_q.weight", 1, "attn", 400_000, 0),
            new TensorRef("blk.1.ffn_up.weight", 1, "ffn", 600_000, 0),
            new TensorRef("output.weight", -1, "output", 64_000, 0));

    static final TierSpec HBM = TierSpec.nativeTier("hbm", TierClass.HBM);
    /** 1 GB/s: a byte a nanosecond; 100 KB requests, one channel, no latency. */
    static final TierSpec FLASH = new TierSpec("flash", TierClass.FLASH, 0, new Bandwidth.Absolute(1e9),
            new Bandwidth.Absolute(1e9), 100_000, 1, LatencyDistribution.ZERO, LatencyDistribution.ZERO);

    static Emulator emulator(Placement p, WeightCache cache, int prefetch, boolean profiling) {
        return new Emulator(new Emulator.Config(Map.of("hbm", HBM, "flash", FLASH), p, cache, prefetch, 1, 1e9),
                TENSORS, 2, 1000, Injector.of(50_000, 0), profiling);
    }

    @Test
    void nativeTiersAreNeverWatchedNorCharged() {
        Emulator e = emulator(Placement.allOn("hbm"), null, 0, false);
        for (int i = 0; i <= 2; i++) {
            assertFalse(e.observes(i));
        }
        e.microBatchStart(1, 10);
        e.microBatchEnd();
        assertEquals(0, e.ledger().tier("hbm").bytesRead());
    }

    @Test
    void flashLayersAreWatchedChargedAndWaitedFor() {
        Placement p = new Placement(List.of(new WeightRule("flash", "blk.1.*", null, null, null, 1)), List.of(), "hbm");
        Emulator e = emulator(p, null, 0, false);
        assertFalse(e.observes(0));
        assertTrue(e.observes(1));
        assertFalse(e.observes(2));
        long t0 = System.nanoTime();
        e.microBatchStart(1, 0);
        e.layerStart(1);
        long waited = System.nanoTime() - t0;
        e.microBatchEnd();
        TierLedger flash = e.ledger().tier("flash");
        assertEquals(1_000_000, flash.bytesRead());
        assertEquals(10, flash.requests());
        assertTrue(waited >= 1_000_000, "1 MB at 1 GB/s holds the layer at least 1 ms, held " + waited);
        assertTrue(flash.stallNanos() > 900_000);
        assertEquals(1, e.ledger().steps().size());
        assertTrue(e.ledger().steps().getFirst().stallNanos() > 900_000);
    }

    @Test
    void kvReadsCoverEveryPositionAndWritesTheNewOnes() {
        Placement p = new Placement(List.of(), List.of(new KvRule("hbm", null, null, 4), new KvRule("flash", null, null, null)), "hbm");
        Emulator e = emulator(p, null, 0, false);
        e.microBatchStart(2, 8); // positions 0..9: 6 oldest on flash, 4 newest (incl. the 2 new) on hbm
        e.layerStart(0);
        e.layerStart(1);
        e.microBatchEnd();
        TierLedger flash = e.ledger().tier("flash");
        assertEquals(2 * 6 * 1000, flash.bytesRead());
        assertEquals(0, flash.bytesWritten());
        e.microBatchStart(8, 0); // a prompt of 8: positions 4..7 on hbm, 0..3 on flash, all written
        e.layerStart(0);
        e.layerStart(1);
        e.microBatchEnd();
        assertEquals(2 * 6 * 1000 + 2 * 4 * 1000, flash.bytesRead());
        assertEquals(2 * 4 * 1000, flash.bytesWritten());
    }

    @Test
    void embeddingsReadOnlyTheRowsLookedUp() {
        Emulator e = emulator(new Placement(List.of(new WeightRule("flash", null, null, null, "embeddings", 1)), List.of(), "hbm"),
                null, 0, false);
        e.microBatchStart(5, 0);
        e.layerStart(0);
        e.microBatchEnd();
        assertEquals(5 * 1000, e.ledger().tier("flash").bytesRead());
    }

    @Test
    void anUpperTierCacheServesRepeatedWeights() {
        WeightCache cache = new WeightCache("hbm", 700_000);
        Emulator e = emulator(new Placement(List.of(new WeightRule("flash", "blk.0.*", null, null, null, 1)), List.of(), "hbm"),
                cache, 0, false);
        for (int step = 0; step < 3; step++) {
            e.microBatchStart(1, step);
            e.layerStart(0);
            e.microBatchEnd();
        }
        // attn_q (400 KB) and ffn_up (600 KB) do not both fit in 700 KB: LRU keeps evicting one
        assertEquals(6, cache.hits() + cache.misses());
        assertEquals(1_000_000 * 3, e.ledger().tier("flash").bytesRead());

        WeightCache big = new WeightCache("hbm", 2_000_000);
        Emulator cached = emulator(new Placement(List.of(new WeightRule("flash", "blk.0.*", null, null, null, 1)), List.of(), "hbm"),
                big, 0, false);
        for (int step = 0; step < 3; step++) {
            cached.microBatchStart(1, step);
            cached.layerStart(0);
            cached.microBatchEnd();
        }
        assertEquals(1_000_000, cached.ledger().tier("flash").bytesRead(), "only the first step misses");
        assertEquals(4, big.hits());
    }

    @Test
    void theAnalyticalModelAddsTransferWhereComputeCannotHideIt() {
        Placement p = new Placement(List.of(new WeightRule("flash", "blk.1.*", null, null, null, 1)), List.of(), "hbm");
        Emulator e = emulator(p, null, 0, false);
        // compute: 0.1 ms before layer 0, 0.5 ms per layer, 0.2 ms output head
        e.useComputeProfile(new ComputeProfile(new double[] {100_000, 500_000, 500_000, 200_000}));
        // layer 1 starts at 0.6 ms, then waits 1 ms for its 1 MB: 0.1 + 0.5 + 1.0 + 0.5 + 0.2 = 2.3 ms
        assertEquals(2_300_000, e.modelStep(1, 0), 1);

        Emulator prefetching = emulator(p, null, 1, false);
        prefetching.useComputeProfile(new ComputeProfile(new double[] {100_000, 500_000, 500_000, 200_000}));
        // issued when layer 0 starts (0.1 ms), ready at 1.1 ms: 0.1 + max(0.5, 1.0) + 0.5 + 0.2 = 1.8 ms
        assertEquals(1_800_000, prefetching.modelStep(1, 0), 1);
        assertTrue(prefetching.observes(0), "layer 0 issues layer 1's prefetch");
    }

    @Test
    void profilingRecordsComputeSegmentsOfDecodeSteps() throws InterruptedException {
        Emulator e = emulator(Placement.allOn("hbm"), null, 0, true);
        assertTrue(e.observes(0) && e.observes(1) && e.observes(2));
        List<Long> marks = new ArrayList<>();
        e.microBatchStart(1, 0);
        for (int i = 0; i <= 2; i++) {
            Thread.sleep(2);
            e.layerStart(i);
            marks.add(System.nanoTime());
        }
        e.microBatchEnd();
        ComputeProfile prof = e.computeProfile();
        assertEquals(4, prof.segmentNanos().length);
        assertTrue(prof.beforeFirstLayer() >= 2_000_000 && prof.layer(0) >= 2_000_000);
    }
}
