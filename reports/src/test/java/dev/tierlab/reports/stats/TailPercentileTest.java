package dev.tierlab.reports.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TailPercentileTest {

    private static double[] oneTo(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[n - 1 - i] = i + 1; // descending: the class must sort
        }
        return v;
    }

    @Test
    void p99NeedsOneHundredSamplesAndItsIntervalThreeHundred() {
        TailPercentile few = TailPercentile.of(oneTo(99), 0.99);
        assertFalse(few.available());
        assertEquals("n/a (n=99)", few.text("ms", 2));
        assertEquals("", few.csvValue(2));

        TailPercentile hundred = TailPercentile.of(oneTo(100), 0.99);
        assertTrue(hundred.available());
        assertEquals(99, hundred.value(), 0); // nearest rank: ceil(0.99 * 100) = 99th smallest
        assertFalse(hundred.hasInterval());
        assertEquals("99.00 ms", hundred.text("ms", 2));

        assertFalse(TailPercentile.of(oneTo(299), 0.99).hasInterval());
        TailPercentile n300 = TailPercentile.of(oneTo(300), 0.99);
        assertTrue(n300.hasInterval());
        assertTrue(n300.ciLow() <= n300.value() && n300.value() <= n300.ciHigh());
        assertEquals("p99", n300.label());
    }

    @Test
    void p999NeedsOneThousand() {
        assertEquals("n/a (n=999)", TailPercentile.of(oneTo(999), 0.999).text("", 1));
        TailPercentile t = TailPercentile.of(oneTo(1000), 0.999);
        assertEquals(999, t.value(), 0);
        assertFalse(t.hasInterval());
        assertEquals("p99.9", t.label());
        assertEquals(1000, TailPercentile.minSamples(0.999));
        assertEquals(300, TailPercentile.minSamplesForInterval(0.99));
    }

    @Test
    void orderStatisticIntervalCoversTheTrueP99AtLeastNinetyFivePercentOfTheTime() {
        // exponential samples: true p99 = ln(100)
        double truth = Math.log(100);
        SplittableRandom rnd = new SplittableRandom(11);
        int covered = 0;
        int sims = 1500;
        for (int s = 0; s < sims; s++) {
            double[] v = new double[400];
            for (int i = 0; i < v.length; i++) {
                v[i] = -Math.log(1 - rnd.nextDouble());
            }
            TailPercentile t = TailPercentile.of(v, 0.99);
            if (t.ciLow() <= truth && truth <= t.ciHigh()) {
                covered++;
            }
        }
        double coverage = covered / (double) sims;
        // binomial coverage >= 95% by construction; the simulation's own SE is about 0.6 points
        assertTrue(coverage >= 0.935, "coverage " + coverage);
        assertTrue(coverage <= 0.995, "not vacuous: " + coverage);
    }
}
