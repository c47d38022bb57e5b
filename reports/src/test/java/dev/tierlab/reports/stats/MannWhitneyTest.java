package dev.tierlab.reports.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;
import org.junit.jupiter.api.Test;

class MannWhitneyTest {

    @Test
    void completelySeparatedSmallSamplesHaveTheExactSmallestPValue() {
        // 5 vs 5, all of x above all of y: 1 split of 252 at each extreme
        MannWhitney.Result r = MannWhitney.test(new double[] {6, 7, 8, 9, 10}, new double[] {1, 2, 3, 4, 5}, 0.05);
        assertTrue(r.exact());
        assertEquals(25, r.u(), 1e-12);
        assertEquals(2.0 / 252, r.pValue(), 1e-12);
        assertEquals(2.0 / 252, r.minAttainableP(), 1e-12);
        // 3 vs 3: the smallest possible p is 2/20 = 0.1, so at alpha 0.05 the test can never reject
        MannWhitney.Result tiny = MannWhitney.test(new double[] {4, 5, 6}, new double[] {1, 2, 3}, 0.05);
        assertEquals(0.1, tiny.pValue(), 1e-12);
        assertEquals(0.0, tiny.attainedAlpha(), 1e-12);
    }

    @Test
    void exactPValuesMatchBruteForceEnumerationIncludingTies() {
        double[][][] cases = {
            {{1, 1, 2, 5}, {2, 3, 3}},
            {{1.5, 2.5, 2.5, 2.5, 4}, {2.5, 3, 3, 0.5, 7}},
            {{10, 11, 12, 13, 14, 15}, {9, 10, 16, 17, 18}},
            {{1, 2, 3}, {1, 2, 3, 4}},
        };
        for (double[][] c : cases) {
            double[] bf = BruteForce.rankSumTest(c[0], c[1], 0.05);
            MannWhitney.Result r = MannWhitney.test(c[0], c[1], 0.05);
            assertEquals(bf[0], r.pValue(), 1e-9, "p");
            assertEquals(bf[1], r.attainedAlpha(), 1e-9, "attained alpha");
            assertEquals(bf[2], r.minAttainableP(), 1e-9, "min p");
        }
    }

    @Test
    void attainedAlphaAtFivePerSideIsBelowNominal() {
        MannWhitney.Result r = MannWhitney.test(new double[] {1, 2, 3, 4, 5}, new double[] {1.5, 2.5, 3.5, 4.5, 5.5}, 0.05);
        double[] bf = BruteForce.rankSumTest(new double[] {1, 2, 3, 4, 5}, new double[] {1.5, 2.5, 3.5, 4.5, 5.5}, 0.05);
        assertEquals(bf[1], r.attainedAlpha(), 1e-12);
        assertTrue(r.attainedAlpha() < 0.05 && r.attainedAlpha() > 0.02, "5 vs 5 rejects with probability " + r.attainedAlpha());
        assertFalse(r.pValue() < 0.05);
    }

    @Test
    void largeSamplesUseTheNormalApproximationAndAgreeWithCommonsMath() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] x = new double[40];
        double[] y = new double[45];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = 0.5 + rnd.nextGaussian();
        }
        MannWhitney.Result r = MannWhitney.test(x, y, 0.05);
        assertFalse(r.exact());
        // commons-math: normal approximation without continuity correction, so close but not equal
        assertEquals(new MannWhitneyUTest().mannWhitneyUTest(x, y), r.pValue(), 0.01);
    }

    @Test
    void rejectsEmptyAndNonFiniteSamples() {
        assertThrows(IllegalArgumentException.class, () -> MannWhitney.test(new double[0], new double[] {1}, 0.05));
        assertThrows(IllegalArgumentException.class, () -> MannWhitney.test(new double[] {Double.NaN}, new double[] {1}, 0.05));
        assertThrows(IllegalArgumentException.class, () -> MannWhitney.test(new double[] {1}, new double[] {1}, 1.5));
    }
}
