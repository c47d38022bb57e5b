package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequirementsTest {

    @TempDir
    Path dir;

    private static final String[] BW = {"2x", "1x", "0.5x", "0.25x", "0.125x"};

    private List<Requirements.Row> solve(RunFixture f) {
        RunData d = RunData.read(List.of(f.write(dir)));
        List<PointSummary> points = PointSummary.of(PointData.of(d.records(), false));
        return Requirements.solve(Requirements.curves(points), Requirements.DEFAULT_TARGETS, 2000);
    }

    /** The crossing of the true curve's values at the tested points, interpolated on log2(x) as the report does. */
    private static double expectedCrossing(double c, double level) {
        double[] xs = {0.125, 0.25, 0.5, 1, 2};
        for (int i = 1; i < xs.length; i++) {
            double a = RunFixture.trueRatio(xs[i - 1], c);
            double b = RunFixture.trueRatio(xs[i], c);
            if (a < level && b >= level) {
                double t = (level - a) / (b - a);
                return Math.pow(2, Math.log(xs[i - 1]) / Math.log(2) + t * (Math.log(xs[i] / xs[i - 1]) / Math.log(2)));
            }
        }
        throw new AssertionError("no crossing");
    }

    @Test
    void invertsTheMonotoneFitAtEachLossTargetWithAnInterval() {
        RunFixture f = new RunFixture(5);
        for (String bw : BW) {
            double r = RunFixture.trueRatio(Double.parseDouble(bw.replace("x", "")), 0.1);
            f.pairedPoint("w/bw=" + bw, Map.of("tiers.hbf.read_bandwidth", bw), 8, r, r, 10, 0.003, 8);
        }
        List<Requirements.Row> rows = solve(f);
        assertEquals(3, rows.size());
        double[] targets = Requirements.DEFAULT_TARGETS;
        for (int i = 0; i < 3; i++) {
            Requirements.Row row = rows.get(i);
            assertEquals(targets[i], row.targetLoss());
            assertEquals("at least", row.direction());
            double expected = expectedCrossing(0.1, 1 - targets[i]);
            assertEquals(expected, row.estimate().value(), 0.05 * expected, "target " + targets[i]);
            assertEquals(0, row.estimate().censored());
            assertTrue(row.low().value() <= row.estimate().value() && row.estimate().value() <= row.high().value(), row.toString());
            assertTrue(row.low().value() <= expected && expected <= row.high().value(), "the truth is inside " + row.requirementText());
            assertTrue(row.high().value() / row.low().value() < 1.15, "0.3% noise gives a tight interval: " + row.requirementText());
            // the reference curve is exact here and inverts to the same place
            assertEquals(expected, row.reference().value(), 1e-6 * expected);
        }
        // a looser target needs less bandwidth
        assertTrue(rows.get(0).estimate().value() > rows.get(1).estimate().value());
        assertTrue(rows.get(1).estimate().value() > rows.get(2).estimate().value());
        assertTrue(rows.get(1).requirementText().matches("≥ 0\\.\\d+x \\(0\\.\\d+x–0\\.\\d+x\\)"), rows.get(1).requirementText());
        assertTrue(rows.get(1).sentence().startsWith("to keep decode speed (per-token time) within 10% of baseline: tiers.hbf.read_bandwidth ≥"),
                rows.get(1).sentence());
    }

    @Test
    void withTooFewPairsTheRequirementIsIndicativeWithoutAnInterval() {
        RunFixture f = new RunFixture(11);
        for (String bw : BW) {
            double r = RunFixture.trueRatio(Double.parseDouble(bw.replace("x", "")), 0.1);
            f.pairedPoint("w/bw=" + bw, Map.of("tiers.hbf.read_bandwidth", bw), bw.equals("1x") ? 4 : 8, r, r, 10, 0.003, 8);
        }
        RunData d = RunData.read(List.of(f.write(dir)));
        List<PointSummary> points = PointSummary.of(PointData.of(d.records(), false));
        List<Requirements.Row> rows = Requirements.solve(Requirements.curves(points), Requirements.DEFAULT_TARGETS, 2000);
        Requirements.Row r10 = rows.get(1);
        assertEquals(4, r10.minPairs());
        assertTrue(r10.estimate().present());
        assertEquals("", r10.intervalText());
        assertTrue(r10.requirementText().endsWith("(indicative: a point has 4 < 6 pairs, no interval)"), r10.requirementText());
        String answer = Headline.answer(points, rows);
        assertTrue(answer.contains("(indicative only: a point has fewer than 6 pairs, so no interval)"), answer);
    }

    @Test
    void aNonMonotoneBlipIsPooledNotFollowed() {
        RunFixture f = new RunFixture(6);
        double[] measured = {0.95, 0.80, 0.90, 0.70, 0.50}; // 1x reads slower than 0.5x: noise
        for (int i = 0; i < BW.length; i++) {
            f.pairedPoint("w/bw=" + BW[i], Map.of("tiers.hbf.read_bandwidth", BW[i]), 8, measured[i], measured[i], 10, 0.002, 8);
        }
        Requirements.Row r10 = solve(f).get(1);
        // pooled 1x and 0.5x: (0.80 + 0.90) / 2 = 0.85 < 0.90, so the 10% crossing lies between 1x (0.85) and 2x (0.95):
        // log2 position 0 + (0.90 - 0.85) / (0.95 - 0.85) = 0.5 -> 2^0.5
        assertEquals(Math.sqrt(2), r10.estimate().value(), 0.03);
    }

    @Test
    void discreteAxesAreFacetsNeverInterpolated() {
        RunFixture f = new RunFixture(7);
        for (String prefetch : new String[] {"0", "1"}) {
            double c = prefetch.equals("1") ? 0.05 : 0.2;
            for (String bw : BW) {
                double r = RunFixture.trueRatio(Double.parseDouble(bw.replace("x", "")), c);
                f.pairedPoint("w/bw=" + bw + ",pf=" + prefetch, Map.of("tiers.hbf.read_bandwidth", bw, "prefetch", prefetch), 6, r, r, 10, 0.003, 8);
            }
        }
        RunData d = RunData.read(List.of(f.write(dir)));
        List<Requirements.Curve> curves = Requirements.curves(PointSummary.of(PointData.of(d.records(), false)));
        assertEquals(2, curves.size(), "one bandwidth curve per prefetch value, none along prefetch");
        assertTrue(curves.stream().allMatch(c -> c.axis().name().equals("tiers.hbf.read_bandwidth")));
        assertEquals(List.of("prefetch=0", "prefetch=1"), curves.stream().map(Requirements.Curve::facet).sorted().toList());
        List<Requirements.Row> rows = Requirements.solve(curves, new double[] {0.10}, 2000);
        Requirements.Row pf0 = rows.stream().filter(r -> r.facet().equals("prefetch=0")).findFirst().orElseThrow();
        Requirements.Row pf1 = rows.stream().filter(r -> r.facet().equals("prefetch=1")).findFirst().orElseThrow();
        assertEquals(expectedCrossing(0.2, 0.9), pf0.estimate().value(), 0.03 * pf0.estimate().value());
        assertEquals(expectedCrossing(0.05, 0.9), pf1.estimate().value(), 0.03 * pf1.estimate().value());
    }

    @Test
    void targetsOutsideTheTestedRangeAreCensoredNotExtrapolated() {
        RunFixture f = new RunFixture(8);
        String[] bw = {"1x", "2x", "4x"};
        double[] ratio = {0.97, 0.985, 0.99};
        for (int i = 0; i < bw.length; i++) {
            f.pairedPoint("w/" + bw[i], Map.of("bw", bw[i]), 6, ratio[i], ratio[i], 10, 0.002, 8);
        }
        RunFixture g = new RunFixture(9);
        double[] bad = {0.3, 0.4, 0.5};
        for (int i = 0; i < bw.length; i++) {
            g.pairedPoint("w/" + bw[i], Map.of("bw", bw[i]), 6, bad[i], bad[i], 10, 0.002, 8);
        }
        Requirements.Row allMeet = solve(f).getFirst();
        assertEquals(-1, allMeet.estimate().censored());
        assertEquals(1.0, allMeet.estimate().value(), 1e-9);
        assertTrue(allMeet.requirementText().startsWith("every tested value meets it"), allMeet.requirementText());
        Path other = dir.resolveSibling(dir.getFileName() + "-g");
        RunData d = RunData.read(List.of(g.write(other)));
        Requirements.Row noneMeet = Requirements.solve(Requirements.curves(PointSummary.of(PointData.of(d.records(), false))),
                new double[] {0.05}, 2000).getFirst();
        assertEquals(1, noneMeet.estimate().censored());
        assertEquals(4.0, noneMeet.estimate().value(), 1e-9);
        assertTrue(noneMeet.requirementText().startsWith("no tested value meets it (needs more than 4.00x)"), noneMeet.requirementText());
        assertEquals("", noneMeet.intervalText(), "an interval wholly beyond the tested range adds nothing");
        assertTrue(Headline.answer(List.of(), List.of(noneMeet)).endsWith("no tested value meets it (needs more than 4.00x)."),
                Headline.answer(List.of(), List.of(noneMeet)));
    }

    @Test
    void latencyIsAnUpperBound() {
        RunFixture f = new RunFixture(10);
        String[] lat = {"3us", "10us", "25us", "50us"};
        double[] ratio = {0.99, 0.93, 0.85, 0.70};
        for (int i = 0; i < lat.length; i++) {
            f.pairedPoint("w/" + lat[i], Map.of("tiers.hbf.latency.p50", lat[i]), 6, ratio[i], ratio[i], 10, 0.002, 8);
        }
        Requirements.Row r = solve(f).getFirst();
        assertEquals("at most", r.direction());
        // 5%: between 3us (0.99) and 10us (0.93) on log10: 3 * (10/3)^((0.99-0.95)/(0.99-0.93))
        assertEquals(3 * Math.pow(10.0 / 3, 0.04 / 0.06), r.estimate().value(), 0.3);
        assertTrue(r.requirementText().startsWith("≤ "), r.requirementText());
    }
}
