package dev.tierlab.reports.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogTIntervalTest {

    @Test
    void tIntervalOfTheLogsExponentiated() {
        double[] v = {10, 12, 14};
        double m = (Math.log(10) + Math.log(12) + Math.log(14)) / 3;
        double ss = Math.pow(Math.log(10) - m, 2) + Math.pow(Math.log(12) - m, 2) + Math.pow(Math.log(14) - m, 2);
        double half = 4.302652729911275 * Math.sqrt(ss / 2) / Math.sqrt(3);
        Interval i = LogTInterval.of(v);
        assertEquals(Math.exp(m), i.estimate(), 1e-12);
        assertEquals(Math.exp(m - half), i.low(), 1e-9);
        assertEquals(Math.exp(m + half), i.high(), 1e-9);
    }

    @Test
    void neverNegativeWhereALinearIntervalWouldBe() {
        double[] v = {0.5, 40};
        SampleStats linear = SampleStats.of(v);
        assertTrue(linear.ci95Low() < 0, "the linear interval goes below zero");
        Interval i = LogTInterval.of(v);
        assertTrue(i.low() > 0);
        assertTrue(i.high() > i.estimate());
        assertThrows(IllegalArgumentException.class, () -> LogTInterval.of(1, 0));
        assertTrue(Double.isNaN(LogTInterval.of(5).low()));
    }
}
