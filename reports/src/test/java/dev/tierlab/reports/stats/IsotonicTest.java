package dev.tierlab.reports.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IsotonicTest {

    @Test
    void poolsAdjacentViolatorsIntoTheirWeightedMean() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Isotonic.fit(new double[] {1, 3, 2, 4}, new double[] {1, 1, 1, 1}, true), 1e-12);
        // weights: (3*1 + 2*3) / 4 = 2.25
        assertArrayEquals(new double[] {1, 2.25, 2.25, 4}, Isotonic.fit(new double[] {1, 3, 2, 4}, new double[] {1, 1, 3, 1}, true), 1e-12);
        // a violation that cascades back: 5 4 3 -> all 4 when increasing
        assertArrayEquals(new double[] {4, 4, 4}, Isotonic.fit(new double[] {5, 4, 3}, new double[] {1, 1, 1}, true), 1e-12);
        assertArrayEquals(new double[] {5, 4, 3}, Isotonic.fit(new double[] {5, 4, 3}, new double[] {1, 1, 1}, false), 1e-12);
        assertArrayEquals(new double[] {0.9, 0.8, 0.8}, Isotonic.fit(new double[] {0.9, 0.75, 0.85}, new double[] {1, 1, 1}, false), 1e-12);
    }

    @Test
    void fitIsMonotoneAndNoWorseThanAnyMonotoneCandidate() {
        double[] y = {0.4, 0.7, 0.55, 0.9, 0.85, 1.0};
        double[] w = {2, 1, 3, 1, 2, 1};
        double[] fit = Isotonic.fit(y, w, true);
        for (int i = 1; i < fit.length; i++) {
            assertTrue(fit[i] >= fit[i - 1]);
        }
        double[] candidate = {0.4, 0.6, 0.6, 0.87, 0.87, 1.0};
        assertTrue(Isotonic.sse(y, w, fit) <= Isotonic.sse(y, w, candidate) + 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Isotonic.fit(new double[] {1}, new double[] {0}, true));
    }
}
