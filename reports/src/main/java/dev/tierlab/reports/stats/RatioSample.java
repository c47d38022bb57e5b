package dev.tierlab.reports.stats;

import java.util.SplittableRandom;

/**
 * The data behind one ratio of a sweep point against its baseline, and its bootstrap.
 *
 * <p>Paired: per-pair ratios (emulated over baseline of one pair, measured back to back); the
 * estimate is their median. Unpaired (old runs without pairs): two independent samples; the estimate
 * is median(numerator) / median(denominator). Either way a replicate resamples on the log scale with
 * the smoothing of {@link PercentileBootstrap}, pairs as units in the paired case, each sample on its
 * own in the unpaired case.
 */
public final class RatioSample {

    private final boolean paired;
    private final double[] logsA;
    private final double[] logsB;
    private final double hA;
    private final double hB;
    private final double estimate;

    private RatioSample(boolean paired, double[] logsA, double[] logsB, double estimate) {
        this.paired = paired;
        this.logsA = logsA;
        this.logsB = logsB;
        this.hA = PercentileBootstrap.bandwidth(logsA);
        this.hB = logsB == null ? 0 : PercentileBootstrap.bandwidth(logsB);
        this.estimate = estimate;
    }

    /** @param ratios per-pair ratios, positive and finite, at least one */
    public static RatioSample paired(double[] ratios) {
        return new RatioSample(true, PercentileBootstrap.logs(ratios), null, SampleStats.median(ratios));
    }

    /** median(numerator) / median(denominator), two independent samples of positive values. */
    public static RatioSample unpaired(double[] numerator, double[] denominator) {
        return new RatioSample(false, PercentileBootstrap.logs(numerator), PercentileBootstrap.logs(denominator),
                SampleStats.median(numerator) / SampleStats.median(denominator));
    }

    public boolean paired() {
        return paired;
    }

    /** Pairs, or the smaller of the two samples when unpaired. */
    public int n() {
        return paired ? logsA.length : Math.min(logsA.length, logsB.length);
    }

    public double estimate() {
        return estimate;
    }

    /** SD of ln(ratio) over pairs; unpaired, sqrt(sA^2 + sB^2) of the two samples' logs: the noise of one ratio. */
    public double sdLog() {
        if (paired) {
            return logsA.length > 1 ? SampleStats.of(logsA).stddev() : Double.NaN;
        }
        if (logsA.length < 2 || logsB.length < 2) {
            return Double.NaN;
        }
        return Math.hypot(SampleStats.of(logsA).stddev(), SampleStats.of(logsB).stddev());
    }

    /** One bootstrap replicate of the ratio. */
    public double draw(SplittableRandom rnd) {
        double a = PercentileBootstrap.medianOfResample(logsA, hA, rnd, new double[logsA.length]);
        return paired ? Math.exp(a) : Math.exp(a - PercentileBootstrap.medianOfResample(logsB, hB, rnd, new double[logsB.length]));
    }

    /** The estimate with its 95% percentile-bootstrap interval (none when a sample has fewer than 2 values). */
    public RatioEstimate estimate(int resamples, long seed) {
        if (resamples < PercentileBootstrap.MIN_RESAMPLES) {
            throw new IllegalArgumentException("bootstrap needs at least " + PercentileBootstrap.MIN_RESAMPLES + " resamples");
        }
        if (logsA.length < 2 || (!paired && logsB.length < 2)) {
            return new RatioEstimate(paired, n(), Interval.pointOnly(estimate), sdLog());
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] stats = new double[resamples];
        double[] bufA = new double[logsA.length];
        double[] bufB = paired ? null : new double[logsB.length];
        for (int i = 0; i < resamples; i++) {
            double a = PercentileBootstrap.medianOfResample(logsA, hA, rnd, bufA);
            stats[i] = Math.exp(paired ? a : a - PercentileBootstrap.medianOfResample(logsB, hB, rnd, bufB));
        }
        return new RatioEstimate(paired, n(), PercentileBootstrap.percentiles(estimate, stats), sdLog());
    }

    public RatioEstimate estimate(long seed) {
        return estimate(PercentileBootstrap.DEFAULT_RESAMPLES, seed);
    }
}
