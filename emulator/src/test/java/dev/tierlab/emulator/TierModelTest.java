package dev.tierlab.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.sched.TierModel;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The scheduler's arithmetic against cases worked out by hand (1 GB/s = 1 ns per byte). */
class TierModelTest {

    private static TierModel tier(long granularity, int channels, double latencyNanos) {
        return new TierModel(1e9, granularity, channels, new LatencyDistribution.Fixed(latencyNanos), 1, null);
    }

    @Test
    void bandwidthAloneMovesOneByteEveryNanosecondInIssueOrder() {
        TierModel t = tier(1000, 1, 0);
        assertEquals(3000, t.transfer(0, 3000));
        assertEquals(3, t.requests());
        assertEquals(4000, t.transfer(0, 1000), "the pipe is still busy with the first transfer");
    }

    @Test
    void anIdleTierEarnsNoBurstCredit() {
        TierModel t = tier(1000, 1, 0);
        t.transfer(0, 1000);
        assertEquals(11_000, t.transfer(10_000, 1000));
        assertEquals(13_000, t.transfer(11_000, 2000));
    }

    @Test
    void twoChannelsOverlapLatencyOfTwoRequestsAtATime() {
        // r0: ch0 0 -> ready 1000 -> flows 1000..1100;  r1: ch1 0 -> 1000 -> 1100..1200
        // r2: ch0 free 1100 -> ready 2100 -> 2100..2200; r3: ch1 free 1200 -> 2200 -> 2200..2300
        Histogram h = new Histogram(3);
        TierModel t = new TierModel(1e9, 100, 2, new LatencyDistribution.Fixed(1000), 1, h);
        assertEquals(2300, t.transfer(0, 400));
        assertEquals(4, h.getTotalCount());
        assertEquals(1100, h.getMinValue(), 1);
        assertEquals(2300, h.getMaxValue(), 3);
    }

    @Test
    void enoughChannelsHideLatencyBehindBandwidth() {
        assertEquals(1400, tier(100, 100, 1000).transfer(0, 400));
    }

    @Test
    void aPartialLastRequestMovesOnlyItsBytes() {
        assertEquals(250, tier(100, 1, 0).transfer(0, 250));
    }

    @Test
    void sameSeedSameLatenciesOtherSeedOthers() {
        var dist = LatencyDistribution.LogNormal.fromPercentiles(10_000, 40_000);
        long[] a = run(dist, 7);
        assertArrayEquals(a, run(dist, 7));
        assertFalse(java.util.Arrays.equals(a, run(dist, 8)));
    }

    private static long[] run(LatencyDistribution d, long seed) {
        TierModel t = new TierModel(Double.POSITIVE_INFINITY, 4096, 1, d, seed, null);
        long[] out = new long[50];
        long at = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = t.transfer(at, 4096) - at;
            at += 1_000_000;
        }
        return out;
    }
}
