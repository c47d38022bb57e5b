package dev.tierlab.emulator.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.latency.LatencyDistribution.Fixed;
import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.tier.Bandwidth;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Batched steps (continuous batching): weights once per step whatever the batch, KV per sequence and position. */
class BatchedTimelineTest {

    private static final ModelGeometry GEO = ReferenceTimelineTest.geometry();
    private static final long KV = GEO.kvBytesPerTokenPerLayer();
    private static final double BLOCKS = 32 * 2048L * 2048 * 34 / 32;
    private static final double OUTPUT = 32000L * 2048 * 34 / 32;
    private static final double ROW = 2048 * 34 / 32;

    private static Trace decodeBatch(int... past) {
        int[] ones = new int[past.length];
        java.util.Arrays.fill(ones, 1);
        return Trace.batched(new int[][] {ones}, new int[][] {past});
    }

    @Test
    void aDecodeBatchReadsTheWeightsOnceAndEachSequencesKvAtHbmBandwidth() {
        TimelineConfig top = TimelineConfig.allOnTop(ReferenceTimelineTest.H200, Map.of("hbm", ReferenceTimelineTest.HBM));
        int[] past = {100, 700, 1500, 3000, 40, 2200, 900, 5000};
        var r = ReferenceTimeline.compute(top, GEO, decodeBatch(past), null, false);
        long positions = java.util.Arrays.stream(past).asLongStream().sum();
        // Closed form, memory-bound: blocks once + output head once + one embedding row per sequence
        // + every sequence's cached positions in every layer, over 4.8 TB/s.
        double bytes = BLOCKS + OUTPUT + ROW * past.length + (double) positions * KV * GEO.nLayer();
        assertEquals(bytes / 4.8e12 * 1e9, r.stepNanos()[0], r.stepNanos()[0] * 0.02, "batched decode step vs bytes / bandwidth");
        // The same eight sequences one step each pay the weights eight times.
        double solo = 0;
        for (int p : past) {
            solo += ReferenceTimeline.compute(top, GEO, new Trace(new int[] {1}, new int[] {p}), null, false).stepNanos()[0];
        }
        double weightsNanos = (BLOCKS + OUTPUT) / 4.8e12 * 1e9;
        assertEquals(7 * weightsNanos, solo - r.stepNanos()[0], weightsNanos * 0.2, "batching saves (B - 1) weight reads");
    }

    @Test
    void aLowerTierServesTheWeightsOnceAndEachSequencesPositionsPerStep() {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("hbm", ReferenceTimelineTest.HBM);
        tiers.put("low", new TierSpec("low", TierClass.FLASH, 0, new Bandwidth.Relative(0.5), new Bandwidth.Relative(0.5), 1 << 16,
                4096, new Fixed(0), new Fixed(0)));
        Placement p = new Placement(List.of(new dev.tierlab.emulator.placement.WeightRule("low", "blk.*", null, null, null, 1, null)),
                List.of(new KvRule("low", null, null, null)), "hbm");
        TimelineConfig c = new TimelineConfig(ReferenceTimelineTest.H200, tiers, p, null, 0, null, 7);
        int[] past = {64, 300, 1000};
        var one = ReferenceTimeline.compute(c, GEO, decodeBatch(64), null, false).tiers().get("low");
        var three = ReferenceTimeline.compute(c, GEO, decodeBatch(past), null, false).tiers().get("low");
        assertEquals((long) BLOCKS + 64L * KV * GEO.nLayer(), one.bytesRead());
        assertEquals((long) BLOCKS + (64L + 300 + 1000) * KV * GEO.nLayer(), three.bytesRead(), "weights once, KV per sequence and position");
        // Each sequence writes its one new position behind, in every layer.
        assertEquals(3L * KV * GEO.nLayer(), three.bytesWritten());
    }

    @Test
    void aSingleSequenceBatchedTraceEqualsThePlainTrace() {
        TimelineConfig top = TimelineConfig.allOnTop(ReferenceTimelineTest.H200, Map.of("hbm", ReferenceTimelineTest.HBM));
        var plain = ReferenceTimeline.compute(top, GEO, new Trace(new int[] {32, 1}, new int[] {0, 32}), null, false);
        var batched = ReferenceTimeline.compute(top, GEO, Trace.batched(new int[][] {{32}, {1}}, new int[][] {{0}, {32}}), null, false);
        assertEquals(plain.stepNanos()[0], batched.stepNanos()[0], 1e-9);
        assertEquals(plain.stepNanos()[1], batched.stepNanos()[1], 1e-9);
        assertTrue(batched.trace().isDecode(1) && !batched.trace().isDecode(0));
    }
}
