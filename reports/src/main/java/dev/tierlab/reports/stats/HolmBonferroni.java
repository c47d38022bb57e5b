package dev.tierlab.reports.stats;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Holm-Bonferroni step-down adjustment: controls the family-wise error rate (the chance of any false
 * positive among all the tests) at alpha when every adjusted p-value is compared with alpha.
 */
public final class HolmBonferroni {

    private HolmBonferroni() {
    }

    /** Adjusted p-values, in the input's order. NaN entries (tests not run) stay NaN and do not count. */
    public static double[] adjust(double[] p) {
        Integer[] idx = java.util.stream.IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed().toArray(Integer[]::new);
        for (int i : idx) {
            if (p[i] < 0 || p[i] > 1) {
                throw new IllegalArgumentException("not a p-value: " + p[i]);
            }
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> p[i]));
        double[] out = new double[p.length];
        Arrays.fill(out, Double.NaN);
        int m = idx.length;
        double running = 0;
        for (int r = 0; r < m; r++) {
            running = Math.max(running, Math.min(1, (m - r) * p[idx[r]]));
            out[idx[r]] = running;
        }
        return out;
    }
}
