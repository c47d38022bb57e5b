package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.reports.stats.PairedPower;
import dev.tierlab.reports.stats.RatioEstimate;
import dev.tierlab.reports.stats.RatioSample;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * The statistics hold their stated error rates: under the null (both sides from one distribution),
 * 2000 simulated experiments at the default minimum n, normal and log-normal, give false positives
 * at most 5% + 2 points, for compare and for the paired-ratio interval; and the power estimate agrees
 * with normal theory where that applies.
 */
class StatisticsCalibrationTest {

    private static final int SIMULATIONS = 2000;
    private static final double TOLERATED = 0.05 + 0.02;

    private static DoubleSupplier normal(SplittableRandom rnd) {
        return () -> 100 + 4 * rnd.nextGaussian();
    }

    private static DoubleSupplier logNormal(SplittableRandom rnd) {
        return () -> Math.exp(Math.log(100) + 0.25 * rnd.nextGaussian()); // heavy right tail
    }

    private static double[] draw(DoubleSupplier d, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = d.getAsDouble();
        }
        return v;
    }

    @Test
    void pairedRatioIntervalFalsePositiveRate() {
        for (boolean logNormal : new boolean[] {false, true}) {
            SplittableRandom rnd = new SplittableRandom(logNormal ? 2 : 1);
            DoubleSupplier d = logNormal ? logNormal(rnd) : normal(rnd);
            int n = RatioEstimate.MIN_N;
            int positives = 0;
            for (int s = 0; s < SIMULATIONS; s++) {
                double[] base = draw(d, n);
                double[] emu = draw(d, n);
                double[] ratios = new double[n];
                for (int i = 0; i < n; i++) {
                    ratios[i] = emu[i] / base[i];
                }
                if (RatioSample.paired(ratios).estimate(s).conclusive()) {
                    positives++;
                }
            }
            double rate = positives / (double) SIMULATIONS;
            assertTrue(rate <= TOLERATED, (logNormal ? "log-normal" : "normal") + " false-positive rate " + rate);
            assertTrue(rate > 0.005, "the interval is not vacuous: " + rate);
        }
    }

    @Test
    void compareFalsePositiveRateAcrossPointsAndMetrics() {
        int n = Comparison.Options.DEFAULT.minPerSide();
        for (boolean logNormal : new boolean[] {false, true}) {
            SplittableRandom rnd = new SplittableRandom(logNormal ? 4 : 3);
            DoubleSupplier d = logNormal ? logNormal(rnd) : normal(rnd);
            int familyPositives = 0;
            int testPositives = 0;
            for (int s = 0; s < SIMULATIONS; s++) {
                // one point, its two metrics: one family of two tests, both null
                var result = Comparison.of(List.of(new Comparison.Samples("p", Metric.TG, draw(d, n), draw(d, n)),
                        new Comparison.Samples("p", Metric.PP, draw(d, n), draw(d, n))), Comparison.Options.DEFAULT);
                long differ = result.rows().stream().filter(r -> r.verdict() == Comparison.Verdict.B_HIGHER
                        || r.verdict() == Comparison.Verdict.B_LOWER).count();
                testPositives += (int) differ;
                familyPositives += differ > 0 ? 1 : 0;
            }
            double family = familyPositives / (double) SIMULATIONS;
            assertTrue(family <= TOLERATED, "family-wise false-positive rate " + family);
            assertTrue(testPositives / (2.0 * SIMULATIONS) <= TOLERATED);
        }
    }

    @Test
    void powerAgainstAFivePercentEffect() {
        int n = RatioEstimate.MIN_N;
        // per-repeat CV 2% on each side: per-pair log-ratio SD about 2.8%
        double sd = Math.sqrt(2) * 0.02;
        double atDefault = PairedPower.of(n, sd, 0.95, 400, 9);
        double atNull = PairedPower.of(n, sd, 1.0, 400, 9);
        double atTwenty = PairedPower.of(20, sd, 0.95, 400, 9);
        assertTrue(atNull <= 0.08, "power at no effect is the false-positive rate: " + atNull);
        assertTrue(atDefault > atNull + 0.3, "a 5% effect shows at " + n + " pairs: " + atDefault);
        assertTrue(atTwenty >= atDefault, "more pairs, more power");
        // normal theory for the median of n log-ratios: SE = sqrt(pi/2) * sd / sqrt(n)
        NormalDistribution z = new NormalDistribution();
        double sdMid = 0.06;
        double se = Math.sqrt(Math.PI / 2) * sdMid / Math.sqrt(20);
        double theory = z.cumulativeProbability(-Math.log(0.95) / se - 1.96);
        assertEquals(theory, PairedPower.of(20, sdMid, 0.95, 400, 10), 0.12);
        assertEquals(0.0, PairedPower.of(n - 1, sd, 0.5, 100, 1), "below the minimum n nothing is ever conclusive");
    }
}
