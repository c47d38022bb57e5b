package dev.tierlab.emulator.timeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.WeightCache;
import dev.tierlab.emulator.access.AccessMode;
import dev.tierlab.emulator.latency.LatencyDistribution.Fixed;
import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.TensorRef;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.emulator.reference.ReferencePresets;
import dev.tierlab.emulator.reference.ReferenceSystem;
import dev.tierlab.emulator.tier.Bandwidth;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierPresets;
import dev.tierlab.emulator.tier.TierSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference timeline: closed forms, physical order of tiers, access modes, determinism. */
class ReferenceTimelineTest {

    static final ReferenceSystem H200 = ReferencePresets.byName("h200").orElseThrow();
    static final TierSpec HBM = TierSpec.nativeTier("hbm", TierClass.HBM);

    /** A llama-3.2-1b-like slice: 4 blocks of 8 matrices, q8_0 (1.0625 bytes per weight), 2048 wide. */
    static ModelGeometry geometry() {
        List<TensorRef> t = new ArrayList<>();
        long e = 2048L * 2048;
        for (int l = 0; l < 4; l++) {
            for (String m : List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down", "ffn_x")) {
                t.add(new TensorRef("blk." + l + "." + m + ".weight", l, m.startsWith("attn") ? "attn" : "ffn",
                        e * 34 / 32, 0, e, "q8_0"));
            }
        }
        t.add(new TensorRef("token_embd.weight", -1, "embeddings", 32000L * 2048 * 34 / 32, 2048L * 34 / 32, 32000L * 2048, "q8_0"));
        t.add(new TensorRef("output.weight", -1, "output", 32000L * 2048 * 34 / 32, 0, 32000L * 2048, "q8_0"));
        return new ModelGeometry(t, 4, 32, 64, 2L * 8 * 64 * 2);
    }

    static TimelineConfig onTier(TierSpec lower, int prefetch, AccessMode access) {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("hbm", HBM);
        tiers.put("low", lower.withName("low"));
        Placement p = new Placement(List.of(new WeightRule("low", "blk.*", null, null, null, 1, access)), List.of(), "hbm");
        return new TimelineConfig(H200, tiers, p, null, prefetch, null, 42);
    }

    static double decodeStep(TimelineConfig c) {
        var r = ReferenceTimeline.compute(c, geometry(), Trace.of(0, 0, 16, 512), null, false);
        return r.totalNanos(true) / 16;
    }

    @Test
    void allOnTheTopTierIsTheSumOfComputeAndEqualsTheBaseline() {
        var tiers = Map.of("hbm", HBM);
        var r = ReferenceTimeline.compute(TimelineConfig.allOnTop(H200, tiers), geometry(), Trace.of(0, 64, 8, 512), null, false);
        for (int k = 0; k < r.trace().steps(); k++) {
            assertEquals(r.baseStepNanos(k), r.stepNanos()[k], 1e-6);
        }
        // Decode is memory-bound: one step reads every weight once (token embedding: one row) at 4.8 TB/s.
        double bytes = 32 * 2048L * 2048 * 34 / 32 + 32000L * 2048 * 34 / 32 + 2048 * 34 / 32;
        double step = r.stepNanos()[1];
        assertEquals(bytes / 4.8e12 * 1e9, step, step * 0.02, "decode step vs bytes / bandwidth");
        // Prefill of 64 tokens does 64x the FLOPs but reads the weights once: far less than 64 decode steps.
        assertTrue(r.stepNanos()[0] < 10 * step);
    }

    @Test
    void stagedDecodeSlowsInThePhysicalOrderOfTiers() {
        double last = 0;
        List<String> order = List.of("hbm3e", "hbf", "cxl", "nvme-gen5", "sata-ssd");
        for (String preset : order) {
            double step = decodeStep(onTier(TierPresets.byName(preset).orElseThrow(), 1, AccessMode.STAGED));
            assertTrue(step > last, preset + " must be slower than the tier before it: " + step + " vs " + last);
            last = step;
        }
    }

    @Test
    void directIsNeverSlowerThanStagedWithoutPrefetch() {
        for (String preset : List.of("hbm3e", "hbf", "cxl", "nvme-gen5")) {
            TierSpec t = TierPresets.byName(preset).orElseThrow();
            double direct = decodeStep(onTier(t, 0, AccessMode.DIRECT));
            double staged = decodeStep(onTier(t, 0, AccessMode.STAGED));
            assertTrue(direct <= staged, preset + ": direct " + direct + " > staged " + staged);
        }
    }

    @Test
    void aBandwidthSweepNeverSpeedsUpAsBandwidthFalls() {
        TierSpec hbf = TierPresets.byName("hbf").orElseThrow();
        double last = 0;
        for (double x : new double[] {4, 2, 1, 0.5, 0.25, 0.125}) {
            TierSpec t = new TierSpec("low", TierClass.FLASH, 0, new Bandwidth.Relative(x), new Bandwidth.Relative(x),
                    hbf.granularityBytes(), 4096, hbf.readLatency(), hbf.writeLatency());
            for (AccessMode m : AccessMode.values()) {
                double step = decodeStep(onTier(t, 1, m));
                if (m == AccessMode.DIRECT) {
                    assertTrue(step >= last - 1e-6, x + "x: " + step + " < " + last);
                    last = step;
                }
            }
        }
    }

    @Test
    void bandwidthBoundStagingConvergesToBytesOverBandwidth() {
        // No latency, ample channels, 1/4 of HBM bandwidth, staged one layer ahead: a decode step moves
        // the blocks' bytes at 1.2 TB/s, and the link idles once a step, while the last block computes
        // (the output pseudo-layer has nothing staged, so the next step's first copy waits for it).
        TierSpec quarter = new TierSpec("low", TierClass.FLASH, 0, new Bandwidth.Relative(0.25), new Bandwidth.Relative(0.25),
                1 << 20, 64, new Fixed(0), new Fixed(0));
        double blockBytes = 32 * 2048L * 2048 * 34 / 32;
        double step = decodeStep(onTier(quarter, 1, AccessMode.STAGED));
        double expected = blockBytes / 1.2e12 * 1e9 + blockBytes / 4 / 4.8e12 * 1e9;
        assertEquals(expected, step, expected * 0.02, "staged step vs blocks / tier bandwidth");
    }

    @Test
    void theSameSeedGivesTheSameTimelineAndAnotherSeedAnother() {
        TimelineConfig c = onTier(TierPresets.byName("hbf").orElseThrow(), 1, AccessMode.DIRECT);
        var a = ReferenceTimeline.compute(c, geometry(), Trace.of(0, 32, 8, 512), null, true);
        var b = ReferenceTimeline.compute(c.withSeed(42), geometry(), Trace.of(0, 32, 8, 512), null, true);
        var other = ReferenceTimeline.compute(c.withSeed(43), geometry(), Trace.of(0, 32, 8, 512), null, true);
        assertArrayEquals(a.stepNanos(), b.stepNanos());
        assertTrue(!java.util.Arrays.equals(a.stepNanos(), other.stepNanos()), "latency draws depend on the seed");
    }

    @Test
    void kvOnALowerTierIsReadPerPositionAndWrittenBehind() {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("hbm", HBM);
        tiers.put("cxl", TierPresets.byName("cxl").orElseThrow().withName("cxl"));
        Placement p = new Placement(List.of(), List.of(new KvRule("hbm", null, null, 16), new KvRule("cxl", null, null, null)), "hbm");
        TimelineConfig c = new TimelineConfig(H200, tiers, p, null, 0, null, 1);
        var r = ReferenceTimeline.compute(c, geometry(), Trace.of(0, 512, 8, 512), null, true);
        var cxl = r.tiers().get("cxl");
        // Prefill writes positions 0..511, all but the 16 most recent to CXL, in every layer.
        long kv = 2L * 8 * 64 * 2;
        assertTrue(cxl.bytesWritten() >= 4 * 496 * kv, "written " + cxl.bytesWritten());
        assertTrue(cxl.bytesRead() > 0);
        assertTrue(r.stepNanos()[8] > r.baseStepNanos(8), "reading old positions from CXL costs time");
    }

    @Test
    void aTopTierCacheServesRepeatedWeightsFromTheTopTier() {
        TierSpec ssd = TierPresets.byName("nvme-gen5").orElseThrow();
        TimelineConfig plain = onTier(ssd, 1, AccessMode.STAGED);
        TimelineConfig cached = new TimelineConfig(H200, plain.tiers(), plain.placement(), new WeightCache("hbm", 1L << 40), 1, null, 42);
        assertTrue(decodeStep(cached) < decodeStep(plain) / 10, "a cache that holds the blocks makes later steps HBM-speed");
    }

    @Test
    void aTierThatWouldNeedTooManyRequestsIsRefusedWithItsField() {
        TierSpec small = new TierSpec("low", TierClass.FLASH, 0, new Bandwidth.Relative(1), new Bandwidth.Relative(1), 64, 1,
                new Fixed(0), new Fixed(0));
        SpecException e = assertThrows(SpecException.class,
                () -> ReferenceTimeline.checkRequestBudget(onTier(small, 0, null), geometry(), 1, 1, 1_000_000));
        assertTrue(e.getMessage().contains("raise the granularity to at least"), e.getMessage());
        ReferenceTimeline.checkRequestBudget(onTier(small.withName("low"), 0, null), geometry(), 1, 1, 10_000_000);
        assertEquals("tiers.low.granularity", e.field());
    }

    @Test
    void aTopTierThatCannotHoldWhatThePlacementKeepsThereIsRefused() {
        // The geometry: 4 blocks of 35.7 MB and two 69.6 MB tables, 282 MB in all; a 200 MB top tier.
        ReferenceSystem small = H200.withTop(H200.topReadBytesPerSecond(), H200.topWriteBytesPerSecond(), 200_000_000L);
        TierSpec flash = TierPresets.byName("hbf").orElseThrow();
        TimelineConfig direct = new TimelineConfig(small, onTier(flash, 0, AccessMode.DIRECT).tiers(),
                onTier(flash, 0, AccessMode.DIRECT).placement(), null, 0, null, 42);
        ReferenceTimeline.checkCapacity(direct, geometry(), 4096);
        SpecException base = assertThrows(SpecException.class,
                () -> ReferenceTimeline.checkCapacity(TimelineConfig.allOnTop(small, direct.tiers()), geometry(), 4096));
        assertEquals("reference.capacity", base.field());
        assertTrue(base.getMessage().contains("all-on-top baseline"), base.getMessage());
        assertTrue(base.getMessage().contains("reference.capacity: 0"), base.getMessage());
        // Staged one layer ahead: two layers' staging buffers (71 MB) on top of the 139 MB of tables and KV.
        TimelineConfig staged = new TimelineConfig(small, direct.tiers(), onTier(flash, 1, AccessMode.STAGED).placement(), null, 1, null, 42);
        SpecException s = assertThrows(SpecException.class, () -> ReferenceTimeline.checkCapacity(staged, geometry(), 4096));
        assertTrue(s.getMessage().contains("point's placement"), s.getMessage());
        // Capacity set aside: anything goes.
        ReferenceSystem aside = H200.withTop(H200.topReadBytesPerSecond(), H200.topWriteBytesPerSecond(), 0);
        ReferenceTimeline.checkCapacity(TimelineConfig.allOnTop(aside, direct.tiers()), geometry(), 4096);
    }
}
