package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceWhateverTheLoopSize() {
        try (Parallel pool = new Parallel(3)) {
            for (int n : new int[] {0, 1, 2, 3, 7, 1000}) {
                for (int round = 0; round < 50; round++) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(n);
                    pool.forRange(n, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            runs.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, runs.get(i), "n=" + n + " index " + i);
                    }
                }
            }
        }
    }

    @Test
    void aFailureInAnyShareReachesTheCaller() {
        try (Parallel pool = new Parallel(2)) {
            for (int share = 0; share < 2; share++) {
                int failing = share;
                assertThrows(IllegalStateException.class, () -> pool.forRange(10, (from, to) -> {
                    if (from == 5 * failing) {
                        throw new IllegalStateException("share " + failing);
                    }
                }));
            }
            int[] sum = new int[1];
            pool.forRange(4, (from, to) -> {
                synchronized (sum) {
                    sum[0] += to - from;
                }
            });
            assertEquals(4, sum[0], "the pool still works after a failure");
        }
    }
}
