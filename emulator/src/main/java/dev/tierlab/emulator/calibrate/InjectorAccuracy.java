package dev.tierlab.emulator.calibrate;

import dev.tierlab.emulator.inject.Injector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How exactly the injector holds a thread for a requested time, from microseconds to milliseconds. */
public final class InjectorAccuracy {

    /** Errors (achieved - target) in nanoseconds at one target. */
    public record Point(long targetNanos, int samples, double medianErrorNanos, double p99ErrorNanos, double maxErrorNanos) {

        public double medianErrorRelative() {
            return medianErrorNanos / targetNanos;
        }

        public double p99ErrorRelative() {
            return p99ErrorNanos / targetNanos;
        }

        /** tierlab's target: median within 1%, p99 within 3% or 2 us. */
        public boolean meetsTarget() {
            return Math.abs(medianErrorRelative()) <= 0.01 && (Math.abs(p99ErrorRelative()) <= 0.03 || Math.abs(p99ErrorNanos) <= 2_000);
        }
    }

    /** How often a busy thread on this machine loses its CPU: the floor under any wait's tail. */
    public record PlatformGaps(double gapsOver5usPerSecond, double gapsOver20usPerSecond, long maxGapNanos) {
    }

    /** Spins for {@code nanos} reading the clock and counts the gaps between consecutive reads. */
    public static PlatformGaps platformGaps(long nanos) {
        long start = System.nanoTime();
        long end = start + nanos;
        long prev = start;
        long over5 = 0;
        long over20 = 0;
        long max = 0;
        while (prev < end) {
            long now = System.nanoTime();
            long d = now - prev;
            if (d > 5_000) {
                over5++;
                if (d > 20_000) {
                    over20++;
                }
            }
            max = Math.max(max, d);
            prev = now;
        }
        double seconds = (prev - start) / 1e9;
        return new PlatformGaps(over5 / seconds, over20 / seconds, max);
    }

    public static final long[] DEFAULT_TARGETS = {1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
        1_000_000, 2_000_000, 5_000_000, 10_000_000};

    private InjectorAccuracy() {
    }

    /** Waits {@code samples} times per target (interleaved across targets so drift hits all alike). */
    public static List<Point> measure(Injector injector, long[] targets, int samples, long budgetNanos) {
        long perRound = Arrays.stream(targets).sum();
        int rounds = (int) Math.max(10, Math.min(samples, budgetNanos / Math.max(1, perRound)));
        long[][] errors = new long[targets.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < targets.length; i++) {
                long start = System.nanoTime();
                injector.waitUntil(start + targets[i]);
                errors[i][r] = System.nanoTime() - start - targets[i];
            }
        }
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < targets.length; i++) {
            long[] e = errors[i];
            Arrays.sort(e);
            out.add(new Point(targets[i], rounds, e[rounds / 2], e[Math.min(rounds - 1, (int) Math.ceil(rounds * 0.99) - 1)], e[rounds - 1]));
        }
        return out;
    }
}
