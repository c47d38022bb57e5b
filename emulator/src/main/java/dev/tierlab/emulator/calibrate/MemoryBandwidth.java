package dev.tierlab.emulator.calibrate;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Read bandwidth of this machine's memory: threads each sum their share of an off-heap buffer far
 * larger than the caches, best of several passes (the least disturbed one).
 */
public final class MemoryBandwidth {

    private MemoryBandwidth() {
    }

    /** Bytes per second read by {@code threads} threads over a {@code bytes} buffer. */
    public static double measureRead(long bytes, int threads, int passes) {
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            MemorySegment buf = arena.allocate(bytes, 64);
            buf.fill((byte) 1);
            long share = bytes / threads / 64 * 64;
            double best = 0;
            long sink = 0;
            for (int p = 0; p < passes; p++) {
                List<Future<Long>> parts = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    MemorySegment slice = buf.asSlice(t * share, share);
                    parts.add(pool.submit(() -> sum(slice)));
                }
                for (Future<Long> f : parts) {
                    sink += f.get();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, share * threads / seconds);
            }
            if (sink == 42) {
                System.out.print(""); // keeps the sums alive
            }
            return best;
        } catch (Exception e) {
            throw new IllegalStateException("memory bandwidth measurement failed", e);
        }
    }

    /** The sum of the segment's longs, four independent chains (its length a multiple of 32). */
    static long sum(MemorySegment s) {
        long a = 0, b = 0, c = 0, d = 0;
        long n = s.byteSize();
        for (long i = 0; i < n; i += 32) {
            a += s.get(ValueLayout.JAVA_LONG, i);
            b += s.get(ValueLayout.JAVA_LONG, i + 8);
            c += s.get(ValueLayout.JAVA_LONG, i + 16);
            d += s.get(ValueLayout.JAVA_LONG, i + 24);
        }
        return a + b + c + d;
    }

}
