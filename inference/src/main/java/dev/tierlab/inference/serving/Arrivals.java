package dev.tierlab.inference.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Arrival schedules of a serving workload, from a seed: Poisson (exponential gaps at a rate) or
 * constant (equal gaps). Requests arrive until {@code durationNanos} (inclusive) has passed and at least
 * {@code minRequests} have arrived, as LoadGen's server scenario runs for a minimum duration and
 * query count. Gaps, prompt lengths and output lengths come from three streams split off the seed,
 * so the i-th request's lengths do not depend on the rate or the process.
 */
public final class Arrivals {

    public enum Process { POISSON, CONSTANT }

    private Arrivals() {
    }

    public static List<Request> generate(Process process, double ratePerSecond, LengthDistribution prompt, LengthDistribution output,
            long seed, long durationNanos, int minRequests) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of requests per second, got " + ratePerSecond);
        }
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom gaps = root.split();
        SplittableRandom prompts = root.split();
        SplittableRandom outputs = root.split();
        double meanGapNanos = 1e9 / ratePerSecond;
        List<Request> out = new ArrayList<>();
        double t = 0;
        while (true) {
            double gap = process == Process.CONSTANT ? meanGapNanos : -Math.log(1 - gaps.nextDouble()) * meanGapNanos;
            // The first request arrives after one gap, so a constant schedule at rate r has exactly r requests per second.
            t += gap;
            if (t > durationNanos && out.size() >= minRequests) {
                return out;
            }
            out.add(new Request(out.size(), Math.round(t), prompt.draw(prompts), output.draw(outputs)));
        }
    }
}
