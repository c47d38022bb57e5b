package dev.tierlab.reports.stats;

import java.util.Arrays;
import java.util.Comparator;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of two independent samples.
 *
 * <p>Small samples (pooled size up to {@link #EXACT_MAX_POOLED}) get the exact permutation null
 * distribution of the rank sum: every way of splitting the pooled observations into groups of the two
 * sizes is equally likely. Ties take midranks and the distribution is built from those midranks, so it
 * is exact conditional on the observed ties (no normal approximation, no tie correction needed). The
 * two-sided p-value is the null probability of a rank sum at least as far from its mean as the
 * observed one. Larger samples use the normal approximation with the tie-corrected variance and a
 * continuity correction; {@link Result#exact()} says which was used.
 *
 * <p>Because the exact distribution is discrete, a test at nominal level alpha rejects with
 * probability {@link Result#attainedAlpha()} at most alpha under the null; at very small samples even
 * the most extreme split has a p-value above alpha ({@link Result#minAttainableP()}).
 */
public final class MannWhitney {

    public static final int EXACT_MAX_POOLED = 60;

    /**
     * @param u U statistic of the first sample (pairs (x, y) with x &gt; y, ties counting 1/2)
     * @param pValue two-sided p-value
     * @param exact whether the exact permutation distribution was used
     * @param minAttainableP the smallest two-sided p-value these sample sizes (and ties) can give
     * @param attainedAlpha the null probability of p &lt;= the alpha passed in (the test's real size)
     */
    public record Result(int n1, int n2, double u, double pValue, boolean exact, double minAttainableP, double alpha,
            double attainedAlpha) {
    }

    private MannWhitney() {
    }

    public static Result test(double[] x, double[] y, double alpha) {
        if (x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("Mann-Whitney needs two non-empty samples");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1): " + alpha);
        }
        PercentileBootstrap.requireFinite(x);
        PercentileBootstrap.requireFinite(y);
        int n1 = x.length;
        int n = n1 + y.length;
        long[] twiceRanks = twiceMidranks(x, y);
        long twiceW = 0;
        for (int i = 0; i < n1; i++) {
            twiceW += twiceRanks[i];
        }
        double u = twiceW / 2.0 - n1 * (n1 + 1) / 2.0;
        long twiceMean = (long) n1 * (n + 1);
        if (n <= EXACT_MAX_POOLED) {
            double[] dist = nullDistribution(twiceRanks, n1);
            long obs = Math.abs(twiceW - twiceMean);
            double p = 0;
            long maxDev = 0;
            for (int s = 0; s < dist.length; s++) {
                if (dist[s] > 0) {
                    maxDev = Math.max(maxDev, Math.abs(s - twiceMean));
                    if (Math.abs(s - twiceMean) >= obs) {
                        p += dist[s];
                    }
                }
            }
            double minP = tailBeyond(dist, twiceMean, maxDev);
            double attained = 0;
            for (int s = 0; s < dist.length; s++) {
                if (dist[s] > 0 && tailBeyond(dist, twiceMean, Math.abs(s - twiceMean)) <= alpha + 1e-12) {
                    attained += dist[s];
                }
            }
            return new Result(n1, y.length, u, Math.min(1, p), true, Math.min(1, minP), alpha, attained);
        }
        // normal approximation, tie-corrected variance, continuity correction
        double n2 = y.length;
        double tieSum = 0;
        long[] sorted = twiceRanks.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            double t = j - i;
            tieSum += t * t * t - t;
            i = j;
        }
        double var = n1 * n2 / 12.0 * ((n + 1) - tieSum / ((double) n * (n - 1)));
        double z = (Math.abs(u - n1 * n2 / 2.0) - 0.5) / Math.sqrt(var);
        double p = var > 0 ? Math.min(1, 2 * (1 - new NormalDistribution().cumulativeProbability(Math.max(0, z)))) : 1;
        double zMax = (n1 * n2 / 2.0 - 0.5) / Math.sqrt(var);
        double minP = var > 0 ? 2 * (1 - new NormalDistribution().cumulativeProbability(zMax)) : 1;
        return new Result(n1, y.length, u, p, false, minP, alpha, minP <= alpha ? alpha : 0);
    }

    private static double tailBeyond(double[] dist, long center, long dev) {
        double p = 0;
        for (int s = 0; s < dist.length; s++) {
            if (dist[s] > 0 && Math.abs(s - center) >= dev) {
                p += dist[s];
            }
        }
        return p;
    }

    /** Twice the midrank of every observation, x's first then y's, so ties stay integers. */
    static long[] twiceMidranks(double[] x, double[] y) {
        int n = x.length + y.length;
        double[] all = new double[n];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(y, 0, all, x.length, y.length);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> all[i]));
        long[] out = new long[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && all[order[j]] == all[order[i]]) {
                j++;
            }
            long twiceMid = (i + 1) + j; // ranks i+1..j, midrank (i+1+j)/2
            for (int k = i; k < j; k++) {
                out[order[k]] = twiceMid;
            }
            i = j;
        }
        return out;
    }

    /**
     * Null probability of each doubled rank sum of a group of size k drawn from the pooled (doubled)
     * ranks: counts of k-subsets by sum, built one observation at a time, divided by C(n, k).
     */
    static double[] nullDistribution(long[] twiceRanks, int k) {
        int maxSum = 0;
        for (long r : twiceRanks) {
            maxSum += (int) r;
        }
        double[][] ways = new double[k + 1][maxSum + 1];
        ways[0][0] = 1;
        int reach = 0;
        for (long r : twiceRanks) {
            int ri = (int) r;
            reach += ri;
            for (int c = k; c >= 1; c--) {
                double[] to = ways[c];
                double[] from = ways[c - 1];
                for (int s = reach; s >= ri; s--) {
                    to[s] += from[s - ri];
                }
            }
        }
        double total = 0;
        for (double w : ways[k]) {
            total += w;
        }
        double[] dist = ways[k];
        for (int s = 0; s < dist.length; s++) {
            dist[s] /= total;
        }
        return dist;
    }
}
