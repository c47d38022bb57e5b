package dev.tierlab.emulator.latency;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Per-request access latency of a tier, in nanoseconds. Every draw takes the caller's seeded
 * generator, so a tier's sequence of latencies depends only on its seed.
 */
public sealed interface LatencyDistribution {

    long sample(RandomGenerator rng);

    double meanNanos();

    String describe();

    LatencyDistribution ZERO = new Fixed(0);

    record Fixed(double nanos) implements LatencyDistribution {
        public long sample(RandomGenerator rng) {
            return Math.round(nanos);
        }

        public double meanNanos() {
            return nanos;
        }

        public String describe() {
            return "fixed(%.0fns)".formatted(nanos);
        }
    }

    record Uniform(double minNanos, double maxNanos) implements LatencyDistribution {
        public long sample(RandomGenerator rng) {
            return Math.round(minNanos + (maxNanos - minNanos) * rng.nextDouble());
        }

        public double meanNanos() {
            return (minNanos + maxNanos) / 2;
        }

        public String describe() {
            return "uniform(%.0fns..%.0fns)".formatted(minNanos, maxNanos);
        }
    }

    /** Normal, truncated at zero (a latency cannot be negative). */
    record Normal(double meanNanos, double sdNanos) implements LatencyDistribution {
        public long sample(RandomGenerator rng) {
            return Math.max(0, Math.round(meanNanos + sdNanos * rng.nextGaussian()));
        }

        public String describe() {
            return "normal(mean %.0fns, sd %.0fns)".formatted(meanNanos, sdNanos);
        }
    }

    /** exp(N(mu, sigma)) nanoseconds: the usual shape of device latency with a right tail. */
    record LogNormal(double mu, double sigma) implements LatencyDistribution {
        /** z of the 99th percentile of a standard normal. */
        static final double Z99 = 2.3263478740408408;

        /** The log-normal with the given median and 99th percentile. */
        public static LogNormal fromPercentiles(double p50Nanos, double p99Nanos) {
            return new LogNormal(Math.log(p50Nanos), Math.log(p99Nanos / p50Nanos) / Z99);
        }

        public long sample(RandomGenerator rng) {
            return Math.round(Math.exp(mu + sigma * rng.nextGaussian()));
        }

        public double meanNanos() {
            return Math.exp(mu + sigma * sigma / 2);
        }

        public String describe() {
            return "lognormal(p50 %.0fns, p99 %.0fns)".formatted(Math.exp(mu), Math.exp(mu + Z99 * sigma));
        }
    }

    /** {@code base} plus a constant, e.g. a garbage-collection pause added to a read. */
    record Shifted(LatencyDistribution base, double offsetNanos) implements LatencyDistribution {
        public long sample(RandomGenerator rng) {
            return base.sample(rng) + Math.round(offsetNanos);
        }

        public double meanNanos() {
            return base.meanNanos() + offsetNanos;
        }

        public String describe() {
            return base.describe() + " + %.0fns".formatted(offsetNanos);
        }
    }

    /** Picks a component with probability proportional to its weight, then draws from it. */
    record Mixture(List<Component> components) implements LatencyDistribution {
        public record Component(double weight, LatencyDistribution distribution) {
        }

        public Mixture {
            components = List.copyOf(components);
        }

        /** {@code base}, except that a {@code probability} fraction of requests also stall {@code extraNanos}. */
        public static Mixture withStalls(LatencyDistribution base, double probability, double extraNanos) {
            return new Mixture(List.of(new Component(1 - probability, base),
                    new Component(probability, new Shifted(base, extraNanos))));
        }

        private double total() {
            return components.stream().mapToDouble(Component::weight).sum();
        }

        public long sample(RandomGenerator rng) {
            double u = rng.nextDouble() * total();
            for (Component c : components) {
                u -= c.weight();
                if (u < 0) {
                    return c.distribution().sample(rng);
                }
            }
            return components.getLast().distribution().sample(rng);
        }

        public double meanNanos() {
            return components.stream().mapToDouble(c -> c.weight() * c.distribution().meanNanos()).sum() / total();
        }

        public String describe() {
            StringBuilder sb = new StringBuilder("mixture(");
            for (Component c : components) {
                sb.append(sb.length() > 8 ? ", " : "").append("%.4g: %s".formatted(c.weight() / total(), c.distribution().describe()));
            }
            return sb.append(')').toString();
        }
    }

    /**
     * Draws from measured latencies: distinct values with their cumulative counts, so a histogram of
     * millions of requests costs one binary search per draw.
     */
    record Empirical(long[] values, long[] cumulativeCounts, String source) implements LatencyDistribution {
        public Empirical {
            if (values.length == 0 || values.length != cumulativeCounts.length) {
                throw new IllegalArgumentException("empirical latency needs at least one value: " + source);
            }
        }

        public long sample(RandomGenerator rng) {
            long total = cumulativeCounts[cumulativeCounts.length - 1];
            long u = rng.nextLong(total);
            int i = Arrays.binarySearch(cumulativeCounts, u + 1);
            return values[i >= 0 ? i : -i - 1];
        }

        public double meanNanos() {
            double sum = 0;
            long prev = 0;
            for (int i = 0; i < values.length; i++) {
                sum += (double) values[i] * (cumulativeCounts[i] - prev);
                prev = cumulativeCounts[i];
            }
            return sum / prev;
        }

        public long count() {
            return cumulativeCounts[cumulativeCounts.length - 1];
        }

        public String describe() {
            return "empirical(%s, %d samples, mean %.0fns)".formatted(source, count(), meanNanos());
        }
    }
}
