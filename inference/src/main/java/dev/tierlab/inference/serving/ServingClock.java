package dev.tierlab.inference.serving;

import java.util.concurrent.locks.LockSupport;

/**
 * The clock a serving run's arrivals and latencies are on. {@link #virtual} advances by each step's
 * cost (the reference timeline's step times, so dilation that changes from step to step stretches the
 * schedule exactly) and jumps over idle gaps; {@link #wall} is the host's clock, for
 * {@code reference: host}, and really waits for arrivals.
 */
public interface ServingClock {

    /** Nanoseconds since the run started. */
    long now();

    /** A step has run; advance by its cost. */
    void afterStep(int step, int nSeq, int[] tokens, int[] past, long hostNanos);

    /** Nothing is running or waiting: move on to {@code t}. */
    void idleUntil(long t);

    static ServingClock virtual(StepCost cost) {
        return new ServingClock() {
            private long now;

            @Override
            public long now() {
                return now;
            }

            @Override
            public void afterStep(int step, int nSeq, int[] tokens, int[] past, long hostNanos) {
                long d = cost.nanos(step, nSeq, tokens, past, hostNanos);
                if (d < 0) {
                    throw new IllegalStateException("step " + step + " has a negative cost " + d);
                }
                now += d;
            }

            @Override
            public void idleUntil(long t) {
                now = Math.max(now, t);
            }
        };
    }

    static ServingClock wall() {
        long origin = System.nanoTime();
        return new ServingClock() {
            @Override
            public long now() {
                return System.nanoTime() - origin;
            }

            @Override
            public void afterStep(int step, int nSeq, int[] tokens, int[] past, long hostNanos) {
            }

            @Override
            public void idleUntil(long t) {
                long left;
                while ((left = t - now()) > 0) {
                    LockSupport.parkNanos(left);
                }
            }
        };
    }
}
