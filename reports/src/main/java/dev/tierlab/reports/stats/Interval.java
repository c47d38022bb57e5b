package dev.tierlab.reports.stats;

/**
 * A point estimate with a two-sided confidence interval. {@code low} and {@code high} are NaN when
 * there is no interval (too few samples).
 */
public record Interval(double estimate, double low, double high) {

    public static final Interval NONE = new Interval(Double.NaN, Double.NaN, Double.NaN);

    public Interval {
        if (Double.isFinite(low) && Double.isFinite(high) && low > high) {
            throw new IllegalArgumentException("interval low " + low + " > high " + high);
        }
    }

    public static Interval pointOnly(double estimate) {
        return new Interval(estimate, Double.NaN, Double.NaN);
    }

    public boolean hasInterval() {
        return Double.isFinite(low) && Double.isFinite(high);
    }

    /** Whether {@code v} lies inside the interval (bounds included); false when there is no interval. */
    public boolean contains(double v) {
        return hasInterval() && v >= low && v <= high;
    }

    /** Half the interval's width. */
    public double halfWidth() {
        return hasInterval() ? (high - low) / 2 : Double.NaN;
    }

    /** Half-width over the estimate: the precision reached, as a fraction (0.02 = ±2%). */
    public double relativeHalfWidth() {
        return hasInterval() && estimate != 0 ? halfWidth() / Math.abs(estimate) : Double.NaN;
    }
}
