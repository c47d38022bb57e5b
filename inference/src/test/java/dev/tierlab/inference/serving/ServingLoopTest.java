package dev.tierlab.inference.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingLoopTest {

    @Test
    void stepsStayWithinTheTokenBudgetAndMixChunkedPrefillWithDecode() {
        List<Request> reqs = List.of(new Request(0, 0, 40, 8), new Request(1, 0, 40, 8), new Request(2, 5, 40, 8));
        FakeBatch fake = new FakeBatch(2);
        ServingLoop.Result r = ServingLoop.run(reqs, fake, new ServingLoop.Config(2, 16), ServingClock.virtual((k, s, t, p, h) -> 10),
                FakeBatch::prompt);
        assertTrue(fake.stepSizes.stream().allMatch(n -> n <= 16), "budget: " + fake.stepSizes);
        // Request 0 prefills 16 + 16 + 8 (the last chunk shares a step with request 1's prefill).
        assertEquals(List.of(16), Arrays.stream(r.trace().seqTokens()[0]).boxed().toList());
        assertEquals(List.of(8, 8), Arrays.stream(r.trace().seqTokens()[2]).boxed().toList());
        assertTrue(Arrays.stream(r.trace().seqTokens()).anyMatch(s -> s.length == 2 && s[0] == 1 && s[1] > 1), "decode mixed with a prefill chunk");
        // Two slots: request 2 is admitted only when one finishes, and its KV is dropped when it finishes.
        RequestRecord third = r.requests().get(2);
        assertTrue(third.admittedNanos() >= Math.min(r.requests().get(0).finishedNanos(), r.requests().get(1).finishedNanos()));
        assertEquals(3, fake.removed.size());
        for (RequestRecord rec : r.requests()) {
            assertEquals(8, rec.tokens().length);
            assertTrue(rec.firstTokenNanos() > rec.admittedNanos() && rec.finishedNanos() > rec.firstTokenNanos());
            assertEquals((rec.finishedNanos() - rec.firstTokenNanos()) / 7, rec.tpotNanos());
        }
        assertEquals(Arrays.stream(r.stepNanos()).sum(), r.endNanos(), "no idle time: everything arrived at once");
    }

    @Test
    void theVirtualClockJumpsOverIdleGapsAndStampsTokensAtStepEnds() {
        List<Request> reqs = List.of(new Request(0, 1_000, 4, 3), new Request(1, 1_000_000, 4, 1));
        ServingLoop.Result r = ServingLoop.run(reqs, new FakeBatch(4), new ServingLoop.Config(4, 8), ServingClock.virtual((k, s, t, p, h) -> 100),
                FakeBatch::prompt);
        RequestRecord a = r.requests().get(0);
        assertEquals(1_000, a.admittedNanos());
        assertEquals(1_100, a.firstTokenNanos());
        assertEquals(1_300, a.finishedNanos());
        assertEquals(100, a.tpotNanos());
        RequestRecord b = r.requests().get(1);
        assertEquals(0, b.queueNanos());
        assertEquals(100, b.ttftNanos());
        assertEquals(-1, b.tpotNanos(), "one output token has no time per output token");
    }

    @Test
    void aBudgetBelowTheSequencesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ServingLoop.Config(8, 4));
    }
}
