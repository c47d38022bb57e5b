package dev.tierlab.reports.stats;

/**
 * A ratio against baseline with its 95% interval. Conclusive only with at least {@link #MIN_N} pairs
 * (or repeats per side, unpaired) and an interval that excludes 1.0; otherwise the data cannot tell it
 * from no change.
 *
 * @param sdLog the noise of one ratio on the log scale (see {@link RatioSample#sdLog()})
 */
public record RatioEstimate(boolean paired, int n, Interval ratio, double sdLog) {

    /**
     * The fewest pairs for a conclusive ratio: from here on the calibration test holds the
     * false-positive rate (interval excluding 1 when nothing changed) at about 5%.
     */
    public static final int MIN_N = 6;

    public static final RatioEstimate NONE = new RatioEstimate(false, 0, Interval.NONE, Double.NaN);

    public boolean enoughSamples() {
        return n >= MIN_N;
    }

    /** Enough pairs, an interval, and 1.0 outside it. */
    public boolean conclusive() {
        return enoughSamples() && ratio.hasInterval() && !ratio.contains(1.0);
    }

    /** Precision reached: half-width of the interval over the ratio. */
    public double precision() {
        return ratio.relativeHalfWidth();
    }
}
