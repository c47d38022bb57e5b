package dev.tierlab.emulator.calibrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SentinelTest {

    @Test
    void aProbeStaysInsideItsBudgetAndAgreesWithTheFullBandwidthMeasurement() {
        double[] gbps = new double[7];
        long[] wall = new long[7];
        try (Sentinel s = new Sentinel()) {
            for (int i = 0; i < gbps.length; i++) {
                long t0 = System.nanoTime();
                Sentinel.Probe p = s.probe();
                wall[i] = System.nanoTime() - t0;
                gbps[i] = p.gigabytesPerSecond();
                assertTrue(p.nanos() >= s.budgetNanos(), "a probe reads for its whole budget: " + p);
                assertEquals(0, p.bytes() % Sentinel.CHUNK_BYTES);
            }
        }
        Arrays.sort(wall);
        Arrays.sort(gbps);
        // the median: one probe may lose its CPU to another process on a shared machine
        assertTrue(wall[3] <= Sentinel.MAX_BUDGET_NANOS, "median probe wall time " + wall[3] / 1e6 + " ms");
        double reference = MemoryBandwidth.measureRead(256L << 20, 1, 3) / 1e9;
        double ratio = gbps[3] / reference;
        assertTrue(ratio > 0.25 && ratio < 4, "sentinel %.2f GB/s vs one-thread read bandwidth %.2f GB/s".formatted(gbps[3], reference));
    }

    @Test
    void probesWalkTheBufferRoundRobin() {
        try (Sentinel s = new Sentinel(4L << 20, 1_000_000L)) {
            assertEquals(4L << 20, s.bufferBytes());
            long total = 0;
            for (int i = 0; i < 5; i++) {
                total += s.probe().bytes();
            }
            assertTrue(total > 0);
        }
        try (Sentinel s = new Sentinel(100, 1_000_000L)) {
            assertEquals(Sentinel.CHUNK_BYTES, s.bufferBytes(), "rounded up to one chunk");
        }
    }

    @Test
    void budgetsOutsideOneToFiftyMillisecondsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Sentinel(1 << 20, 51_000_000L));
        assertThrows(IllegalArgumentException.class, () -> new Sentinel(1 << 20, 999_999L));
    }

    @Test
    void disturbedMeansMoreThanTheThresholdBelowTheMedianOfTheValuesBefore() {
        SentinelSeries s = new SentinelSeries();
        assertEquals(0.25, s.threshold());
        assertFalse(s.disturbed(0.1), "nothing to compare the first value with");
        assertFalse(s.record(10).disturbed());
        assertFalse(s.record(12).disturbed());
        s.record(11);
        assertEquals(11, s.median());
        // 0.75 x 11 = 8.25
        assertFalse(s.disturbed(8.3));
        assertTrue(s.disturbed(8.2));
        assertFalse(s.disturbed(100), "more bandwidth is no disturbance");
        assertTrue(s.disturbed(9.5, 0.1));
        assertFalse(s.disturbed(9.5, 0.2));
        SentinelSeries.Reading r = s.record(5);
        assertTrue(r.disturbed());
        assertEquals(11, r.medianBefore());
        assertEquals(5, r.gbps());
        assertEquals(4, s.size());
        assertEquals(10.5, s.median(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> s.disturbed(1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> s.record(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new SentinelSeries(0));
    }

    @Test
    void aConfiguredThresholdIsUsedByRecord() {
        SentinelSeries s = new SentinelSeries(0.05);
        s.record(10);
        assertTrue(s.record(9.4).disturbed());
        assertFalse(new SentinelSeries().record(10).disturbed());
    }

    @Test
    void medianP10SpreadAndHindsight() {
        SentinelSeries s = new SentinelSeries();
        assertTrue(Double.isNaN(s.median()));
        assertTrue(Double.isNaN(s.p10()));
        // a run whose first value was disturbed: only hindsight can tell
        double[] v = {4, 10, 11, 9, 12, 10, 10, 11, 10, 9.8, 10.2};
        boolean[] live = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            live[i] = s.record(v[i]).disturbed();
        }
        assertFalse(live[0]);
        assertEquals(10, s.median(), 1e-12);
        // sorted: 4 9 9.8 10 10 10 10 10.2 11 11 12; p10 at position 0.1 x 10 = 1 -> 9
        assertEquals(9, s.p10(), 1e-12);
        assertEquals(0.8, s.spread(), 1e-12);
        boolean[] hindsight = s.disturbedInHindsight();
        boolean[] expected = new boolean[v.length];
        expected[0] = true;
        assertArrayEquals(expected, hindsight);
        assertArrayEquals(v, s.values());
        assertEquals(4, s.percentile(0), 1e-12);
        assertEquals(12, s.percentile(100), 1e-12);
    }
}
