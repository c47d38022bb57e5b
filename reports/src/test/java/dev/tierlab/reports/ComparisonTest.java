package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonTest {

    @TempDir
    Path dir;

    private static RunData run(long seed, double emulatedRatio, int pairs, Path dir) {
        RunFixture f = new RunFixture(seed);
        for (String bw : new String[] {"1x", "0.5x"}) {
            f.pairedPoint("w/bw=" + bw, Map.of("bw", bw), pairs, emulatedRatio * (bw.equals("1x") ? 1 : 0.8), 0.8, 10, 0.03, 8);
        }
        return RunData.read(List.of(f.write(dir)));
    }

    @Test
    void aTenPercentDifferenceBetweenTwoRunsIsToldApart() {
        RunData a = run(1, 0.9, 8, dir.resolve("a"));
        RunData b = run(2, 0.9 * 0.9, 8, dir.resolve("b"));
        Comparison.Result r = Comparison.compare(a, b, Comparison.Options.DEFAULT);
        assertEquals(4, r.rows().size(), "2 points x (tg, pp), emulated lines only");
        for (Comparison.Row row : r.rows()) {
            assertEquals(8, row.nA());
            assertEquals(Comparison.Verdict.B_LOWER, row.verdict(), row.toString());
            assertEquals(0.9, row.ratio().ratio().estimate(), 0.06, "about 3.5 standard errors at 3% noise and 8 repeats");
            assertTrue(row.ratio().ratio().high() < 1, "the interval excludes no change");
            assertTrue(row.pHolm() >= row.test().pValue());
        }
    }

    /**
     * Run B's host is 15% slower throughout (both halves of every pair), its degradation the same: the
     * paired comparison must not call that a difference, as comparing absolute throughput would.
     */
    @Test
    void hostDriftBetweenPairedRunsIsNotADifference() {
        RunFixture fa = new RunFixture(11);
        RunFixture fb = new RunFixture(12);
        fa.pairedPoint("w/bw=0.5x", Map.of("bw", "0.5x"), 8, 0.7, 0.7, 10, 0.03, 8);
        fb.pairedPoint("w/bw=0.5x", Map.of("bw", "0.5x"), 8, 0.7, 0.7, 10 * 1.15, 0.03, 8);
        Comparison.Result r = Comparison.compare(RunData.read(List.of(fa.write(dir.resolve("a")))),
                RunData.read(List.of(fb.write(dir.resolve("b")))), Comparison.Options.DEFAULT);
        assertEquals(2, r.rows().size());
        for (Comparison.Row row : r.rows()) {
            assertTrue(row.degradation(), "paired runs compare per-pair degradation");
            assertEquals(row.metric().key() + " ratio", row.quantity());
            assertEquals(Comparison.Verdict.NO_DIFFERENCE, row.verdict(), row.toString());
            assertEquals(0.7, row.medianA(), 0.05, "median degradation, not throughput");
        }
        assertTrue(String.join("\n", r.method()).contains("drift of the host"), r.method().toString());
        // the same samples compared as absolute figures would be told apart: that is the drift the pairing removes
        List<Comparison.Samples> absolute = new ArrayList<>();
        for (Metric m : List.of(Metric.TG)) {
            absolute.add(new Comparison.Samples("w/bw=0.5x", m, PointData.values(PointData.of(RunData.read(List.of(dir.resolve("a"))).records(),
                    false).getFirst().emulated(), m::value), PointData.values(PointData.of(RunData.read(List.of(dir.resolve("b"))).records(),
                    false).getFirst().emulated(), m::value)));
        }
        assertEquals(Comparison.Verdict.B_LOWER, Comparison.of(absolute, Comparison.Options.DEFAULT).rows().getFirst().verdict());
    }

    @Test
    void twoRunsOfOneConfigurationAreNotToldApart() {
        Comparison.Result r = Comparison.compare(run(3, 0.9, 8, dir.resolve("a")), run(4, 0.9, 8, dir.resolve("b")), Comparison.Options.DEFAULT);
        assertTrue(r.rows().stream().allMatch(x -> x.verdict() == Comparison.Verdict.NO_DIFFERENCE), r.rows().toString());
    }

    @Test
    void overManySimulatedRunPairsTheErrorRatesHold() {
        SplittableRandom rnd = new SplittableRandom(5);
        int sims = 1000;
        int n = 8;
        int falseFamilies = 0;
        int detected = 0;
        for (int s = 0; s < sims; s++) {
            List<Comparison.Samples> same = new ArrayList<>();
            List<Comparison.Samples> shifted = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                for (Metric m : List.of(Metric.TG, Metric.PP)) {
                    same.add(new Comparison.Samples("p" + p, m, draw(rnd, n, 1.0), draw(rnd, n, 1.0)));
                    shifted.add(new Comparison.Samples("p" + p, m, draw(rnd, n, 1.0), draw(rnd, n, 0.9)));
                }
            }
            if (Comparison.of(same, Comparison.Options.DEFAULT).rows().stream().anyMatch(r -> r.verdict() != Comparison.Verdict.NO_DIFFERENCE)) {
                falseFamilies++;
            }
            detected += (int) Comparison.of(shifted, Comparison.Options.DEFAULT).rows().stream()
                    .filter(r -> r.verdict() == Comparison.Verdict.B_LOWER).count();
        }
        double falseRate = falseFamilies / (double) sims;
        double power = detected / (6.0 * sims);
        assertTrue(falseRate <= 0.07, "family-wise false positives over 6 tests: " + falseRate);
        assertTrue(power >= 0.9, "a 10% shift at CV 3% and 8 repeats: " + power);
    }

    private static double[] draw(SplittableRandom rnd, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * 100 * (1 + 0.03 * rnd.nextGaussian());
        }
        return v;
    }

    @Test
    void tooFewRepeatsAreInconclusiveHoweverLargeTheGapAndTheMethodIsStated() {
        Comparison.Result r = Comparison.of(List.of(new Comparison.Samples("p", Metric.TG, new double[] {10, 10.1, 9.9, 10},
                new double[] {5, 5.1, 4.9, 5})), Comparison.Options.DEFAULT);
        Comparison.Row row = r.rows().getFirst();
        assertEquals(Comparison.Verdict.TOO_FEW, row.verdict());
        assertEquals("inconclusive: n<5 per side", row.verdictText(Comparison.Options.DEFAULT));
        assertTrue(Double.isNaN(row.pHolm()));
        Comparison.Result five = Comparison.of(List.of(new Comparison.Samples("p", Metric.TG, new double[] {10, 10.1, 9.9, 10, 10.2},
                new double[] {5, 5.1, 4.9, 5, 5.2}), new Comparison.Samples("q", Metric.TG, new double[] {1, 2, 3, 4, 5},
                new double[] {1.5, 2.5, 3.5, 4.5, 5.5})), Comparison.Options.DEFAULT);
        assertEquals(Comparison.Verdict.B_LOWER, five.rows().getFirst().verdict());
        assertEquals(2 * (2.0 / 252), five.rows().getFirst().pHolm(), 1e-12, "Holm over the two tests doubles the smallest p");
        String method = String.join("\n", five.method());
        assertTrue(method.contains("Holm-Bonferroni over all 2 tests"), method);
        assertTrue(method.contains("nA=5, nB=5: smallest possible p 0.0079"), method);
        assertTrue(method.contains("exact permutation"), method);
    }
}
