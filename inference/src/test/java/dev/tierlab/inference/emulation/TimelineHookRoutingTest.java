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

    /**
     * A replayed trace decides the charged experts by position; a block that routes fewer tokens than
     * its step (llama.cpp's last block: the output token only) takes the step's last positions.
     */
    @Test
    void aReplayedTraceChargesItsExpertsByPosition() {
        int[][][] e = new int[5][2][];
        for (int p = 0; p < 5; p++) {
            e[p][0] = new int[] {p, p + 10};
            e[p][1] = new int[] {p + 20, p + 30};
        }
        TimelineHook h = new TimelineHook(2, 2, Injector.of(0, 0));
        h.replayRouting(new dev.tierlab.emulator.timeline.RoutingTrace("test", 64, 2, e));
        h.beginMeasurement();
        h.microBatchStart(3, 1); // positions 1, 2, 3
        h.expertsRouted(0, 3, 2, new int[] {50, 51, 52, 53, 54, 55});
        h.expertsRouted(1, 1, 2, new int[] {50, 51}); // the output token only: position 3
        h.microBatchEnd();
        h.microBatchStart(1, 4);
        h.expertsRouted(0, 1, 2, new int[] {50, 51});
        h.expertsRouted(1, 1, 2, new int[] {50, 51});
        h.microBatchEnd();
        h.endMeasurement();
        long[][] m = h.expertMasks();
        assertArrayEquals(new long[] {bits(1, 11, 2, 12, 3, 13), bits(23, 33)}, m[0]);
        assertArrayEquals(new long[] {bits(4, 14), bits(24, 34)}, m[1]);
    }

    private static long bits(int... e) {
        long m = 0;
        for (int x : e) {
            m |= 1L << x;
        }
        return m;
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
