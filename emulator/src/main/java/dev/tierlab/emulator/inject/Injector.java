package dev.tierlab.emulator.inject;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds the calling (engine) thread until a wall-clock deadline. Long waits park, which costs no
 * CPU but wakes late by the kernel's timer slack; so the park ends early by a margin calibrated on
 * this machine and the last stretch spins. Deadlines are absolute System.nanoTime() values, so the
 * time the emulator spends computing a deadline is absorbed by the wait instead of added to it.
 * What remains is the cost of leaving: measured once as the exit cost and taken off every deadline.
 */
public final class Injector {

    private final long parkLateNanos;
    private final long exitCostNanos;

    private Injector(long parkLateNanos, long exitCostNanos) {
        this.parkLateNanos = parkLateNanos;
        this.exitCostNanos = exitCostNanos;
    }

    /** Measures park lateness (its 99th percentile) and the exit cost on this machine. */
    public static Injector calibrated() {
        long[] late = new long[64];
        for (int i = 0; i < late.length; i++) {
            long t0 = System.nanoTime();
            LockSupport.parkNanos(100_000);
            late[i] = System.nanoTime() - t0 - 100_000;
        }
        Arrays.sort(late);
        long parkLate = Math.max(20_000, late[(int) (late.length * 0.99) - 1] + 10_000);
        return new Injector(Math.min(parkLate, 2_000_000), measureExitCostNanos());
    }

    /** The median cost of one clock read: what leaving a wait costs after its deadline was seen. */
    private static long measureExitCostNanos() {
        long[] exit = new long[1001];
        for (int i = 0; i < exit.length; i++) {
            long t0 = System.nanoTime();
            long t1 = System.nanoTime();
            exit[i] = t1 - t0;
        }
        Arrays.sort(exit);
        return exit[exit.length / 2];
    }

    /**
     * An injector that never parks: it spins for the whole wait. On a virtual machine a parked thread
     * lets its vCPU go idle, and the hypervisor may take it away; resuming then cost 0.2-5 ms per hold
     * in the quickstart, against the microseconds of a spin. The spinning thread holds one core, which
     * the engine's own thread would hold anyway.
     */
    public static Injector spinning() {
        return new Injector(Long.MAX_VALUE / 4, measureExitCostNanos());
    }

    public static Injector of(long parkLateNanos, long exitCostNanos) {
        return new Injector(parkLateNanos, exitCostNanos);
    }

    /** Waits until {@code deadline} (a System.nanoTime() value); returns how late it returned. */
    public long waitUntil(long deadline) {
        long target = deadline - exitCostNanos;
        long now = System.nanoTime();
        long parkUntil = target - parkLateNanos;
        while (now < parkUntil) {
            LockSupport.parkNanos(parkUntil - now);
            now = System.nanoTime();
        }
        while (now < target) {
            Thread.onSpinWait();
            now = System.nanoTime();
        }
        return now - deadline;
    }

    public long parkLateNanos() {
        return parkLateNanos;
    }

    public long exitCostNanos() {
        return exitCostNanos;
    }
}
