package dev.tierlab.inference.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.inject.Injector;
import org.junit.jupiter.api.Test;

/** The harness hook driven by hand: what it records, which steps it holds, and that a reused hook starts afresh. */
class TimelineHookTest {

    private static void step(TimelineHook h, int tokens, int past, long sleepInLayer0Millis) throws InterruptedException {
        h.microBatchStart(tokens, past);
        h.layerStart(0);
        if (sleepInLayer0Millis > 0) {
            Thread.sleep(sleepInLayer0Millis);
        }
        h.layerStart(1);
        h.layerStart(2);
        h.microBatchEnd();
    }

    @Test
    void recordsTheTimedStepsAndChargesEachLayerItsOwnTime() throws InterruptedException {
        TimelineHook h = new TimelineHook(2, 4, Injector.of(0, 0));
        step(h, 7, 0, 0); // before the timed part: not recorded
        h.beginMeasurement();
        step(h, 4, 0, 30);
        step(h, 1, 4, 0);
        h.endMeasurement();
        assertEquals(2, h.steps());
        assertArrayEquals(new int[] {4, 1}, h.tokens());
        assertArrayEquals(new int[] {0, 4}, h.past());
        assertTrue(h.hostLayerNanos()[0][0] >= 30_000_000, "layer 0 slept 30 ms: " + h.hostLayerNanos()[0][0]);
    }

    @Test
    void aHookReusedForAnotherRepetitionStartsFromZero() throws InterruptedException {
        TimelineHook h = new TimelineHook(2, 2, Injector.of(0, 0));
        h.beginMeasurement();
        step(h, 1, 0, 40);
        h.endMeasurement();
        h.beginMeasurement();
        step(h, 1, 0, 0);
        h.endMeasurement();
        assertTrue(h.hostLayerNanos()[0][0] < 20_000_000, "the first repetition's 40 ms leaked into the second: "
                + h.hostLayerNanos()[0][0]);
    }

    @Test
    void holdsOnlyTheStepsItsPlanDescribes() throws InterruptedException {
        TimelineHook h = new TimelineHook(2, 2, Injector.of(0, 0));
        long hold = 20_000_000;
        h.plan(new int[] {1, 1}, new int[] {0, 1}, new long[][] {{0, hold, 0}, {0, 0, 0}});
        h.beginMeasurement();
        step(h, 1, 0, 0);
        step(h, 1, 5, 0); // not the planned position: runs without holds, and is counted
        h.endMeasurement();
        assertEquals(1, h.unplannedSteps());
        assertTrue(h.heldNanos() >= hold, "held " + h.heldNanos());
        assertTrue(h.hookStepNanos()[0] >= hold);
        assertTrue(h.hostLayerNanos()[0][1] < hold, "a hold is not the layer's compute: " + h.hostLayerNanos()[0][1]);
    }

    /** The measured hot path allocates nothing: no GC pause can be caused by, or land on, the harness itself. */
    @Test
    void theEngineThreadsCallsAllocateNothing() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int steps = 2000;
        int layers = 16;
        TimelineHook h = new TimelineHook(layers, steps, Injector.of(0, 0));
        int[] tokens = new int[steps];
        int[] past = new int[steps];
        long[][] holds = new long[steps][layers + 1];
        for (int k = 0; k < steps; k++) {
            tokens[k] = 1;
            past[k] = k;
            holds[k][k % (layers + 1)] = 1; // a 1 ns hold: the injector's path runs, without waiting
        }
        h.plan(tokens, past, holds);
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 5 && allocated != 0; round++) { // the first rounds may pay for JIT compilation
            long before = threads.getCurrentThreadAllocatedBytes();
            h.beginMeasurement();
            for (int k = 0; k < steps; k++) {
                h.microBatchStart(1, k);
                for (int l = 0; l <= layers; l++) {
                    h.layerStart(l);
                }
                h.microBatchEnd();
            }
            h.endMeasurement();
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by " + steps + " steps of " + (layers + 1) + " layers");
        assertEquals(0, h.unplannedSteps());
    }
}
