package dev.tierlab.inference.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalsTest {

    private static final LengthDistribution PROMPT = new LengthDistribution(16, 256);
    private static final LengthDistribution OUTPUT = new LengthDistribution(8, 64);

    @Test
    void theSameSeedGivesTheSameScheduleAndLengths() {
        List<Request> a = Arrivals.generate(Arrivals.Process.POISSON, 50, PROMPT, OUTPUT, 42, 2_000_000_000L, 10);
        List<Request> b = Arrivals.generate(Arrivals.Process.POISSON, 50, PROMPT, OUTPUT, 42, 2_000_000_000L, 10);
        assertEquals(a, b);
        assertNotEquals(a, Arrivals.generate(Arrivals.Process.POISSON, 50, PROMPT, OUTPUT, 43, 2_000_000_000L, 10));
    }

    @Test
    void lengthsDoNotDependOnTheRateOrTheProcess() {
        List<Request> slow = Arrivals.generate(Arrivals.Process.POISSON, 10, PROMPT, OUTPUT, 7, 0, 200);
        List<Request> fast = Arrivals.generate(Arrivals.Process.CONSTANT, 1000, PROMPT, OUTPUT, 7, 0, 200);
        for (int i = 0; i < 200; i++) {
            assertEquals(slow.get(i).promptTokens(), fast.get(i).promptTokens());
            assertEquals(slow.get(i).outputTokens(), fast.get(i).outputTokens());
        }
        assertTrue(slow.stream().mapToInt(Request::promptTokens).distinct().count() > 50, "uniform lengths vary");
    }

    @Test
    void constantArrivalsAreEvenlySpacedAndPoissonGapsHaveTheRatesMean() {
        List<Request> c = Arrivals.generate(Arrivals.Process.CONSTANT, 100, PROMPT, OUTPUT, 1, 1_000_000_000L, 1);
        assertEquals(100, c.size(), "a constant 100/s for 1 s");
        for (int i = 0; i < c.size(); i++) {
            assertEquals((i + 1) * 10_000_000L, c.get(i).arrivalNanos());
        }
        List<Request> p = Arrivals.generate(Arrivals.Process.POISSON, 100, PROMPT, OUTPUT, 1, 0, 20_000);
        double meanGap = p.get(p.size() - 1).arrivalNanos() / (double) p.size();
        assertEquals(10_000_000, meanGap, 10_000_000 * 0.03, "20000 exponential gaps average 1/rate within 3% (4.2 sigma)");
        long below = 0;
        for (int i = 1; i < p.size(); i++) {
            below += p.get(i).arrivalNanos() - p.get(i - 1).arrivalNanos() < 10_000_000 ? 1 : 0;
        }
        assertEquals(1 - Math.exp(-1), below / (double) (p.size() - 1), 0.02, "P(gap < mean) of an exponential");
    }

    @Test
    void theWorkloadRunsForTheDurationAndAtLeastMinRequests() {
        assertEquals(5, Arrivals.generate(Arrivals.Process.CONSTANT, 1, PROMPT, OUTPUT, 1, 1_000L, 5).size());
        assertEquals(20, Arrivals.generate(Arrivals.Process.CONSTANT, 10, PROMPT, OUTPUT, 1, 2_000_000_000L, 5).size());
        assertThrows(IllegalArgumentException.class, () -> Arrivals.generate(Arrivals.Process.POISSON, 0, PROMPT, OUTPUT, 1, 1, 1));
    }
}
