package dev.tierlab.inference.java;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads for the engine's data-parallel loops. A forward pass runs hundreds of
 * short parallel loops per token, so workers spin briefly between loops (a park/unpark round trip
 * would cost more than many loops take) and park only after a stretch of idleness.
 */
final class Parallel implements AutoCloseable {

    /** A loop body over the index range [from, to). */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile RangeBody body;
    private volatile int n;

    Parallel(int threads) {
        this.threads = Math.max(1, threads);
        workers = new Thread[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("tierlab-java-" + part).start(() -> work(part));
        }
    }

    int threads() {
        return threads;
    }

    /** Runs body over [0, n) split into one contiguous share per thread; returns when all are done. */
    void forRange(int n, RangeBody body) {
        if (threads == 1 || n < threads * 2) {
            body.run(0, n);
            return;
        }
        this.body = body;
        this.n = n;
        pending.set(workers.length);
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        share(0, body, n);
        while (pending.get() > 0) {
            Thread.onSpinWait();
        }
    }

    private void share(int part, RangeBody b, int count) {
        int from = (int) ((long) count * part / threads);
        int to = (int) ((long) count * (part + 1) / threads);
        if (from < to) {
            b.run(from, to);
        }
    }

    private void work(int part) {
        long seen = 0;
        while (!closed) {
            long idleSince = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(1_000_000);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                share(part, body, n);
            } finally {
                pending.decrementAndGet();
            }
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
