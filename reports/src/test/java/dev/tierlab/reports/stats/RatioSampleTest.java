package dev.tierlab.reports.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RatioSampleTest {

    private static final double[] RATIOS = {0.81, 0.79, 0.80, 0.83, 0.78, 0.80, 0.82};

    @Test
    void pairedEstimateIsTheMedianOfPerPairRatiosWithASeededInterval() {
        RatioEstimate a = RatioSample.paired(RATIOS).estimate(42);
        assertEquals(0.80, a.ratio().estimate(), 1e-12);
        assertTrue(a.ratio().low() < 0.80 && a.ratio().high() > 0.80);
        assertTrue(a.ratio().low() >= 0.77 && a.ratio().high() <= 0.84, a.toString());
        assertTrue(a.conclusive());
        assertEquals(a, RatioSample.paired(RATIOS).estimate(42), "same seed, same interval");
        assertNotEquals(a.ratio().low(), RatioSample.paired(RATIOS).estimate(43).ratio().low(), "the seed is used");
    }

    @Test
    void intervalIncludingOneOrTooFewPairsIsInconclusive() {
        RatioEstimate around1 = RatioSample.paired(new double[] {0.98, 1.03, 1.0, 0.97, 1.02, 1.01}).estimate(1);
        assertTrue(around1.ratio().contains(1.0));
        assertFalse(around1.conclusive());
        RatioEstimate few = RatioSample.paired(new double[] {0.5, 0.5, 0.51}).estimate(1);
        assertFalse(few.enoughSamples());
        assertFalse(few.conclusive(), "3 pairs are never conclusive, however clear");
    }

    @Test
    void unpairedIsTheRatioOfMedians() {
        RatioEstimate e = RatioSample.unpaired(new double[] {8, 9, 10}, new double[] {19, 20, 21, 22}).estimate(5);
        assertEquals(9 / 20.5, e.ratio().estimate(), 1e-12);
        assertFalse(e.paired());
        assertEquals(3, e.n());
    }

    @Test
    void validatesInputs() {
        assertThrows(IllegalArgumentException.class, () -> RatioSample.paired(new double[] {1, -1}));
        assertThrows(IllegalArgumentException.class, () -> RatioSample.paired(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> RatioSample.paired(RATIOS).estimate(1999, 1));
    }
}
