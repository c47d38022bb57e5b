package dev.tierlab.reports.stats;

import java.util.Arrays;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Summary of repeated measurements: mean, sample standard deviation, median, coefficient of
 * variation and a Student-t 95% confidence interval of the mean (n - 1 degrees of freedom).
 */
public record SampleStats(int n, double mean, double stddev, double median, double ci95Low, double ci95High) {

    public static SampleStats of(double... values) {
        int n = values.length;
        if (n == 0) {
            return new SampleStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
        double half = n > 1 ? new TDistribution(n - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(n) : Double.NaN;
        return new SampleStats(n, mean, sd, median(values), mean - half, mean + half);
    }

    public static double median(double... values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Coefficient of variation: stddev / mean. */
    public double cv() {
        return mean != 0 ? stddev / mean : Double.NaN;
    }
}
