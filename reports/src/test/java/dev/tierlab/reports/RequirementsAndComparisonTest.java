package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.reports.stats.SampleStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequirementsAndComparisonTest {

    @Test
    void bandwidthRequirementIsInterpolatedWhereTheCurveCrossesTheTarget() {
        // tg relative: 0.98 at 4 GB/s, 0.80 at 2 GB/s, 0.50 at 1 GB/s; model a little more pessimistic
        var curve = new Requirements.Curve("w", "bw", "", "GB/s", List.of(
                new double[] {1, 0.50, 0.45, 120}, new double[] {2, 0.80, 0.70, 80}, new double[] {4, 0.98, 0.95, 40}));
        List<Requirements.Row> rows = Requirements.solve(List.of(curve), new double[] {0.05, 0.10, 0.60});
        // 95%: between 2 (0.80) and 4 (0.98): 4 + (0.95-0.98)/(0.80-0.98)*(2-4) = 3.6667
        assertEquals(3.6667, rows.get(0).measured().getAsDouble(), 1e-3);
        assertEquals("at least", rows.get(0).direction());
        // p99 latency interpolated at 3.6667 between 80 us (2) and 40 us (4)
        assertEquals(80 + (3.6667 - 2) / 2 * (40 - 80), rows.get(0).p99LatencyUsAtThreshold(), 0.01);
        // 90%: 4 + (0.90-0.98)/(0.80-0.98)*(2-4) = 3.1111; model: 4 + (0.90-0.95)/(0.70-0.95)*(-2) = 3.6
        assertEquals(3.1111, rows.get(1).measured().getAsDouble(), 1e-3);
        assertEquals(3.6, rows.get(1).modelled().getAsDouble(), 1e-9);
        // 40%: every measured value meets it
        assertFalse(rows.get(2).measured().isPresent());
        assertEquals("every measured value meets it", rows.get(2).note());
    }

    @Test
    void latencyRequirementIsAnUpperBound() {
        var curve = new Requirements.Curve("w", "p50", "", "us", List.of(
                new double[] {3, 0.99, 0.99, 0}, new double[] {10, 0.93, 0.94, 0}, new double[] {50, 0.70, 0.72, 0}));
        Requirements.Row r = Requirements.solve(List.of(curve), new double[] {0.05}).getFirst();
        assertEquals("at most", r.direction());
        // between 3 (0.99) and 10 (0.93): 3 + (0.99-0.95)/(0.99-0.93)*7 = 7.6667
        assertEquals(7.6667, r.measured().getAsDouble(), 1e-3);
    }

    @Test
    void ratioConfidenceIntervalByTheDeltaMethod() {
        SampleStats a = SampleStats.of(9, 10, 11);
        SampleStats b = SampleStats.of(19, 20, 21);
        PointSummary.Ratio r = PointSummary.ratio(a, b);
        assertEquals(0.5, r.value(), 1e-12);
        double relSe = Math.sqrt(Math.pow(1 / Math.sqrt(3) / 10, 2) + Math.pow(1 / Math.sqrt(3) / 20, 2));
        assertEquals(0.5 * (1 - 4.302652729911275 * relSe), r.low(), 1e-9);
        assertTrue(r.high() > 0.5);
    }

    @Test
    void comparisonSeparatesRealDifferencesFromNoise() {
        Comparison.Row same = Comparison.row("p", "tg", new double[] {10, 11, 9, 10.5, 9.5}, new double[] {10.2, 9.8, 10.1, 9.9, 10.4}, 1);
        assertFalse(same.significant());
        assertEquals("no significant difference", same.verdict());
        Comparison.Row slower = Comparison.row("p", "tg", new double[] {10, 11, 9, 10.5, 9.5}, new double[] {5, 5.2, 4.9, 5.1, 5.3}, 1);
        assertTrue(slower.significant());
        assertEquals("B lower", slower.verdict());
        assertEquals(0.5, slower.ratio(), 0.02);
        assertTrue(slower.pValue() < 0.05);
    }

    @Test
    void axisValuesParseToOneUnitOrNone() {
        assertEquals(0.25, AxisValue.parse("0.25x").orElseThrow().value());
        assertEquals(14, AxisValue.parse("14GB/s").orElseThrow().value());
        assertEquals(2000, AxisValue.parse("2ms").orElseThrow().value());
        assertEquals("us", AxisValue.commonUnit(List.of("3us", "1ms")).orElseThrow());
        assertTrue(AxisValue.commonUnit(List.of("hbm", "flash")).isEmpty());
        assertTrue(AxisValue.commonUnit(List.of("1x", "2GB/s")).isEmpty());
    }
}
