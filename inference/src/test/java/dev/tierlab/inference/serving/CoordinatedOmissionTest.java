package dev.tierlab.inference.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * A known stall, and the requests that queue behind it. Constant arrivals every T, one sequence at a
 * time, one-token requests (one step each, cost d), and step K takes S instead of d. Request K is the
 * stalled one: latency S from both its arrival and its admission. The j-th request after it arrived
 * (K + j + 1)T, is admitted when the one before it finishes, (K + 1)T + S + (j - 1)d, while that is
 * after its arrival, i.e. for j <= m = floor((S - d) / (T - d)); it finishes d later. So from its
 * scheduled arrival its latency is S - j(T - d) (corrected), while from its admission it is d
 * (uncorrected). The uncorrected histogram under-reports their total by
 * sum_{j=1..m} (S - j(T - d) - d) = m(S - d) - (T - d) m(m + 1)/2, and sees one slow request, not m + 1.
 */
class CoordinatedOmissionTest {

    private static final long MS = 1_000_000;
    private static final long T = 10 * MS;
    private static final long D = MS;
    private static final long S = 95 * MS;
    private static final int K = 10;
    private static final int N = 100;

    private static ServingLoop.Result run() {
        List<Request> reqs = Arrivals.generate(Arrivals.Process.CONSTANT, 1e9 / T, LengthDistribution.fixed(1), LengthDistribution.fixed(1),
                1, 0, N);
        StepCost cost = (step, nSeq, tokens, past, host) -> step == K ? S : D;
        return ServingLoop.run(reqs, new FakeBatch(1), new ServingLoop.Config(1, 1), ServingClock.virtual(cost), FakeBatch::prompt);
    }

    @Test
    void theCorrectedHistogramCountsTheRequestsQueuedBehindAStallAndTheUncorrectedOneMissesThemByTheExpectedAmount() {
        ServingLoop.Result r = run();
        ServingMetrics m = ServingMetrics.of(r.requests(), ServingMetrics.Slo.NONE);
        long queued = (S - D) / (T - D); // m = 10
        long missing = queued * (S - D) - (T - D) * queued * (queued + 1) / 2; // 445 ms
        // Per request, exactly (the clock is virtual): the queued ones and no others.
        for (RequestRecord rec : r.requests()) {
            int j = rec.request().id() - K;
            long expected = j == 0 ? S : j >= 1 && j <= queued ? S - j * (T - D) : D;
            assertEquals(expected, rec.e2eNanos(), "corrected latency of request " + rec.request().id());
            assertEquals(j == 0 ? S : D, rec.e2eUncorrectedNanos(), "uncorrected latency of request " + rec.request().id());
        }
        Histogram corrected = m.histogram("e2e");
        Histogram uncorrected = m.histogram("e2e_uncorrected");
        // No double correction: one sample per request in both.
        assertEquals(N, corrected.getTotalCount());
        assertEquals(N, uncorrected.getTotalCount());
        double gap = corrected.getMean() * N - uncorrected.getMean() * N;
        assertEquals(missing, gap, missing * 0.002, "total latency the uncorrected histogram leaves out (HdrHistogram: 3 digits)");
        assertEquals(1 + queued, corrected.getCountBetweenValues(2 * D, Long.MAX_VALUE), "slow requests seen from the schedule");
        assertEquals(1, uncorrected.getCountBetweenValues(2 * D, Long.MAX_VALUE), "slow requests seen from admission");
        assertEquals(missing, r.requests().stream().mapToLong(RequestRecord::queueNanos).sum(), "queueing delay is the difference");
        // p95 is the 95th of 100 values: 89 at d, then the backlog ascending (j = 10, 9, ...), so j = 5 from the
        // schedule; from admission it is d.
        assertEquals(S - 5 * (T - D), corrected.getValueAtPercentile(95), (S - 5 * (T - D)) * 0.002);
        assertEquals(D, uncorrected.getValueAtPercentile(95), D * 0.002);
    }
}
