package dev.tierlab.inference.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.inject.Injector;
import org.junit.jupiter.api.Test;

/** The timeline hook keeps each step's routed experts per block: the union over a prefill batch's tokens. */
class TimelineHookRoutingTest {

    @Test
    void prefillKeepsTheUnionAndDecodeEachTokensExperts() {
        TimelineHook h = new TimelineHook(2, 2, Injector.of(0, 0));
        assertTrue(h.observesRouting());
        h.beginMeasurement();
        h.microBatchStart(3, 0);
        h.expertsRouted(0, 3, 2, new int[] {0, 1, 1, 5, 63, 0});
        h.expertsRouted(1, 1, 2, new int[] {7, 2, 99, 99}); // only the first token's ids count
        h.microBatchEnd();
        h.microBatchStart(1, 3);
        h.expertsRouted(0, 1, 2, new int[] {4, 3});
        h.expertsRouted(1, 0, 2, new int[] {});
        h.microBatchEnd();
        h.endMeasurement();
        h.expertsRouted(0, 1, 2, new int[] {9, 10}); // outside the timed part: ignored
        long[][] m = h.expertMasks();
        assertArrayEquals(new long[] {1L | 1L << 1 | 1L << 5 | 1L << 63, 1L << 7 | 1L << 2}, m[0]);
        assertArrayEquals(new long[] {1L << 4 | 1L << 3, 0}, m[1]);
    }

    @Test
    void aDenseModelHasNoRouting() {
        TimelineHook h = new TimelineHook(2, 1, Injector.of(0, 0));
        h.beginMeasurement();
        h.microBatchStart(1, 0);
        h.microBatchEnd();
        h.endMeasurement();
        assertNull(h.expertMasks());
    }
}
