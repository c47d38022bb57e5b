package dev.tierlab.reports.stats;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.distribution.BinomialDistribution;

/**
 * One percentile of a latency sample, printed only when the sample can support it.
 *
 * <p>Rule: percentile q needs n &gt;= 1/(1-q) samples (p50: 2, p90: 10, p99: 100, p99.9: 1000), so
 * that at least one sample lies beyond it; below that it reads "n/a (n=...)". Its 95% interval needs
 * n &gt;= 3/(1-q) (p99: 300, p99.9: 3000). The estimate is the nearest-rank percentile, the
 * ceil(q n)-th smallest sample. The interval is the distribution-free order-statistic interval
 * [x(l), x(u)]: the number of samples at or below the true percentile is Binomial(n, q), and l, u are
 * the closest ranks around the estimate whose binomial coverage is at least 95%. It treats the pooled
 * samples as independent draws, which per-token times of one repeat only approximately are.
 *
 * <p>HTML, Markdown and CSV all go through this class, so they agree on what is printable.
 */
public record TailPercentile(double quantile, int n, double value, double ciLow, double ciHigh) {

    public static final double CI_CONFIDENCE = 0.95;

    public TailPercentile {
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1): " + quantile);
        }
    }

    /** The fewest samples for the percentile itself: ceil(1/(1-q)), with float noise ignored. */
    public static int minSamples(double quantile) {
        return (int) Math.ceil(1 / (1 - quantile) - 1e-6);
    }

    /** The fewest samples for its confidence interval: ceil(3/(1-q)). */
    public static int minSamplesForInterval(double quantile) {
        return (int) Math.ceil(3 / (1 - quantile) - 1e-6);
    }

    /** The percentile of {@code samples} (any order; NaNs are an error). */
    public static TailPercentile of(double[] samples, double quantile) {
        PercentileBootstrap.requireFinite(samples.length == 0 ? new double[] {0} : samples);
        int n = samples.length;
        if (n < minSamples(quantile)) {
            return new TailPercentile(quantile, n, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        double value = PercentileBootstrap.nearestRank(s, quantile);
        if (n < minSamplesForInterval(quantile)) {
            return new TailPercentile(quantile, n, value, Double.NaN, Double.NaN);
        }
        int[] ranks = orderStatisticRanks(n, quantile, CI_CONFIDENCE);
        if (ranks == null) {
            return new TailPercentile(quantile, n, value, Double.NaN, Double.NaN);
        }
        return new TailPercentile(quantile, n, value, s[ranks[0] - 1], s[ranks[1] - 1]);
    }

    /**
     * 1-based ranks (l, u) with P(l &lt;= B &lt;= u - 1) &gt;= confidence for B ~ Binomial(n, q), the
     * narrowest such pair, ties broken toward the one centred on the estimate's rank; null if even
     * (1, n) falls short.
     */
    static int[] orderStatisticRanks(int n, double q, double confidence) {
        BinomialDistribution b = new BinomialDistribution(null, n, q);
        int centre = Math.max(1, (int) Math.ceil(q * n - 1e-9));
        int[] best = null;
        double bestBalance = Double.MAX_VALUE;
        for (int width = 1; width < n && best == null; width++) {
            for (int l = Math.max(1, centre - width); l <= centre && l + width <= n; l++) {
                int u = l + width;
                // coverage of [x(l), x(u)]: F(u-1) - F(l-1)
                double cover = b.cumulativeProbability(u - 1) - b.cumulativeProbability(l - 1);
                if (cover >= confidence) {
                    double balance = Math.abs((centre - l) - (u - centre));
                    if (balance < bestBalance) {
                        bestBalance = balance;
                        best = new int[] {l, u};
                    }
                }
            }
        }
        return best;
    }

    public boolean available() {
        return Double.isFinite(value);
    }

    public boolean hasInterval() {
        return Double.isFinite(ciLow) && Double.isFinite(ciHigh);
    }

    /** "p99", "p99.9", "p50". */
    public String label() {
        return labelOf(quantile);
    }

    public static String labelOf(double quantile) {
        String pct = String.format(Locale.ROOT, "%.4f", 100 * quantile).replaceAll("0+$", "").replaceAll("\\.$", "");
        return "p" + pct;
    }

    /** "12.3 ms (11.9–12.8)", "12.3 ms", or "n/a (n=57)". */
    public String text(String unit, int decimals) {
        return text(unit, decimals, true);
    }

    /** As {@link #text(String, int)}, the interval left out when {@code withInterval} is false. */
    public String text(String unit, int decimals, boolean withInterval) {
        if (!available()) {
            return "n/a (n=" + n + ")";
        }
        String v = fmt(value, decimals) + (unit.isEmpty() ? "" : " " + unit);
        return withInterval && hasInterval() ? v + " (" + fmt(ciLow, decimals) + "–" + fmt(ciHigh, decimals) + ")" : v;
    }

    /** The value for a CSV cell: the number, or empty when the sample cannot support it. */
    public String csvValue(int decimals) {
        return available() ? fmt(value, decimals) : "";
    }

    private static String fmt(double v, int d) {
        return String.format(Locale.ROOT, "%." + d + "f", v);
    }
}
