package dev.tierlab.reports.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SampleStatsTest {

    @Test
    void matchesHandComputedValues() {
        SampleStats s = SampleStats.of(10, 12, 14);
        assertEquals(12, s.mean(), 1e-12);
        assertEquals(2, s.stddev(), 1e-12);          // sqrt((4 + 0 + 4) / 2)
        assertEquals(12, s.median(), 1e-12);
        assertEquals(2.0 / 12, s.cv(), 1e-12);
        double half = 4.302652729911275 * 2 / Math.sqrt(3); // t(0.975, 2 dof)
        assertEquals(12 - half, s.ci95Low(), 1e-9);
        assertEquals(12 + half, s.ci95High(), 1e-9);
    }

    @Test
    void evenCountMedianAndSingleSample() {
        assertEquals(2.5, SampleStats.median(4, 1, 3, 2), 1e-12);
        SampleStats one = SampleStats.of(5);
        assertEquals(0, one.stddev());
        assertTrue(Double.isNaN(one.ci95Low()));
    }
}
