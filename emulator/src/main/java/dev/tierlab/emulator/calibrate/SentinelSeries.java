package dev.tierlab.emulator.calibrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A run's {@link Sentinel} values (GB/s, one before each repeat), their median and 10th percentile,
 * and the rule that flags a repeat as disturbed.
 *
 * <p><b>The rule.</b> A value {@code v} is <i>disturbed</i> when it is more than {@code threshold}
 * (a fraction, default {@value #DEFAULT_THRESHOLD}) below the median {@code m} of the values
 * recorded <i>before</i> it: {@code v < (1 - threshold) * m}. With no earlier value there is nothing
 * to compare with, and no value is disturbed. The rule is one-sided: more bandwidth than usual is
 * not a disturbance. Because a run's first values set the median, {@link #disturbedInHindsight}
 * applies the same rule against the median of the whole run, for the report written at the end.
 *
 * <p>Typical use by a runner, before every repeat:
 * <pre>{@code
 * SentinelSeries.Reading r = series.record(sentinel.gigabytesPerSecond());
 * if (r.disturbed()) ... // note it in the repeat's row; maybe repeat it
 * }</pre>
 */
public final class SentinelSeries {

    public static final double DEFAULT_THRESHOLD = 0.25;

    /** One recorded value, the median of the values before it (NaN for the first), and the verdict. */
    public record Reading(double gbps, double medianBefore, boolean disturbed) {
    }

    private final double threshold;
    private final List<Double> values = new ArrayList<>();

    public SentinelSeries() {
        this(DEFAULT_THRESHOLD);
    }

    /** @param threshold fraction below the median that counts as disturbed, in (0, 1) */
    public SentinelSeries(double threshold) {
        checkThreshold(threshold);
        this.threshold = threshold;
    }

    /** Judges {@code gbps} against the values so far with this series' threshold, then adds it. */
    public synchronized Reading record(double gbps) {
        if (!(gbps >= 0) || Double.isInfinite(gbps)) {
            throw new IllegalArgumentException("sentinel value must be a finite non-negative GB/s, got " + gbps);
        }
        double m = median();
        Reading r = new Reading(gbps, m, disturbed(gbps, threshold));
        values.add(gbps);
        return r;
    }

    /** Whether {@code value} is disturbed against the values so far with this series' threshold; adds nothing. */
    public synchronized boolean disturbed(double value) {
        return disturbed(value, threshold);
    }

    /**
     * Whether {@code value} is more than {@code threshold} below the median of the values recorded
     * so far (false while there are none); adds nothing.
     */
    public synchronized boolean disturbed(double value, double threshold) {
        checkThreshold(threshold);
        return isBelow(value, median(), threshold);
    }

    /** For every value in order: disturbed against the median of the whole series (this series' threshold). */
    public synchronized boolean[] disturbedInHindsight() {
        double m = median();
        boolean[] out = new boolean[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = isBelow(values.get(i), m, threshold);
        }
        return out;
    }

    /** Median of the values so far; NaN when there are none. */
    public synchronized double median() {
        return percentile(50);
    }

    /** 10th percentile of the values so far (linear interpolation between order statistics); NaN when there are none. */
    public synchronized double p10() {
        return percentile(10);
    }

    /** The {@code p}-th percentile, 0..100, interpolating linearly between the sorted values (p50 is the usual median). */
    public synchronized double percentile(double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] s = values();
        Arrays.sort(s);
        double pos = p / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** (max - min) / median of the values so far: 0 for a perfectly steady machine; NaN when empty. */
    public synchronized double spread() {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] s = values();
        Arrays.sort(s);
        return (s[s.length - 1] - s[0]) / median();
    }

    public synchronized int size() {
        return values.size();
    }

    public synchronized double[] values() {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public double threshold() {
        return threshold;
    }

    private static boolean isBelow(double value, double median, double threshold) {
        return !Double.isNaN(median) && value < (1 - threshold) * median;
    }

    private static void checkThreshold(double t) {
        if (!(t > 0 && t < 1)) {
            throw new IllegalArgumentException("disturbance threshold must be a fraction in (0, 1), got " + t);
        }
    }
}
