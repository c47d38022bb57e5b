package dev.tierlab.reports.stats;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * A 95% interval for a positive quantity (a throughput) taken on the log scale: Student-t interval of
 * the mean of ln(values), n - 1 degrees of freedom, exponentiated. The estimate is the geometric mean;
 * the interval is never negative and is wider above than below, as ratios of throughputs are.
 */
public final class LogTInterval {

    private LogTInterval() {
    }

    public static Interval of(double... values) {
        if (values.length == 0) {
            return Interval.NONE;
        }
        double[] logs = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] > 0) || !Double.isFinite(values[i])) {
                throw new IllegalArgumentException("log-scale interval needs positive finite values, got " + values[i]);
            }
            logs[i] = Math.log(values[i]);
        }
        SampleStats s = SampleStats.of(logs);
        if (s.n() < 2) {
            return Interval.pointOnly(Math.exp(s.mean()));
        }
        double half = new TDistribution(s.n() - 1).inverseCumulativeProbability(0.975) * s.stddev() / Math.sqrt(s.n());
        return new Interval(Math.exp(s.mean()), Math.exp(s.mean() - half), Math.exp(s.mean() + half));
    }
}
