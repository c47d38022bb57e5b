package dev.tierlab.inference.java;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads for the engine's data-parallel loops. A forward pass runs hundreds of
 * short parallel loops per token, so workers spin briefly between loops (a park/unpark round trip
 * would cost more than many loops take) and park only after a stretch of idleness.
 *
 * <p>A loop is cut into one contiguous share per thread, claimed by whichever thread comes first,
 * so the caller also runs the share of a worker that has not woken up yet. Finer chunks handed out
 * dynamically balance better on paper but measured slower (tg 62 vs 69 t/s, q4_0 0.5B, 2 threads):
 * every jump to another chunk restarts the hardware prefetcher's stream through the weights.
 */
final class Parallel implements AutoCloseable {

    /** A loop body over the index range [from, to). */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 200_000;

    /**
     * One loop: its chunks are claimed through {@code next}; the caller waits for {@code done},
     * then rethrows the first {@code failure} of any chunk.
     */
    private record Loop(RangeBody body, int n, int chunks, AtomicInteger next, AtomicInteger done, AtomicReference<Throwable> failure) {

        Loop(RangeBody body, int n, int chunks) {
            this(body, n, chunks, new AtomicInteger(), new AtomicInteger(), new AtomicReference<>());
        }

        /** Claims and runs chunks until none is left. */
        void help() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int from = (int) ((long) n * c / chunks);
                int to = (int) ((long) n * (c + 1) / chunks);
                try {
                    body.run(from, to);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final int threads;
    private final Thread[] workers;
    private volatile Loop loop;
    private volatile boolean closed;

    Parallel(int threads) {
        this.threads = Math.max(1, threads);
        workers = new Thread[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("tierlab-java-" + (i + 1)).start(this::work);
        }
    }

    int threads() {
        return threads;
    }

    /** Runs body over [0, n), one share per thread; returns when all are done. */
    void forRange(int n, RangeBody body) {
        if (threads == 1 || n < 2) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads);
        Loop l = new Loop(body, n, chunks);
        loop = l;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        l.help();
        while (l.done.get() < chunks) {
            Thread.onSpinWait();
        }
        Throwable f = l.failure.get();
        if (f instanceof RuntimeException e) {
            throw e;
        } else if (f instanceof Error e) {
            throw e;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    /**
     * Runs several loop bodies, body i over [0, sizes[i]), as one range split over the threads: each
     * thread streams whole matrices with one wait at the end instead of one per body.
     */
    void forRanges(RangeBody[] bodies, int[] sizes) {
        int[] first = new int[bodies.length + 1];
        for (int i = 0; i < bodies.length; i++) {
            first[i + 1] = first[i] + sizes[i];
        }
        forRange(first[bodies.length], (from, to) -> {
            for (int i = 0; i < bodies.length; i++) {
                int lo = Math.max(from, first[i]);
                int hi = Math.min(to, first[i + 1]);
                if (lo < hi) {
                    bodies[i].run(lo - first[i], hi - first[i]);
                }
            }
        });
    }

    private void work() {
        Loop seen = null;
        while (!closed) {
            long idleSince = System.nanoTime();
            Loop l;
            while ((l = loop) == seen && !closed) {
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(1_000_000);
                }
            }
            if (closed) {
                return;
            }
            seen = l;
            l.help();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
