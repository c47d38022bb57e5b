package dev.tierlab.reports.stats;

/**
 * Weighted isotonic regression by the pool-adjacent-violators algorithm: the monotone sequence
 * closest to y in weighted least squares. Adjacent values that break the order are pooled into their
 * weighted mean until none does.
 */
public final class Isotonic {

    private Isotonic() {
    }

    /**
     * @param y values in axis order
     * @param w positive weights (the number of pairs behind each value, say)
     * @param increasing true for a non-decreasing fit, false for non-increasing
     */
    public static double[] fit(double[] y, double[] w, boolean increasing) {
        int n = y.length;
        if (w.length != n) {
            throw new IllegalArgumentException("y and w differ in length");
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(y[i]) || !(w[i] > 0) || !Double.isFinite(w[i])) {
                throw new IllegalArgumentException("isotonic fit needs finite values and positive weights (index " + i + ")");
            }
        }
        double sign = increasing ? 1 : -1;
        double[] mean = new double[n];
        double[] weight = new double[n];
        int[] size = new int[n];
        int blocks = 0;
        for (int i = 0; i < n; i++) {
            mean[blocks] = sign * y[i];
            weight[blocks] = w[i];
            size[blocks] = 1;
            blocks++;
            while (blocks > 1 && mean[blocks - 2] > mean[blocks - 1]) {
                double wsum = weight[blocks - 2] + weight[blocks - 1];
                mean[blocks - 2] = (mean[blocks - 2] * weight[blocks - 2] + mean[blocks - 1] * weight[blocks - 1]) / wsum;
                weight[blocks - 2] = wsum;
                size[blocks - 2] += size[blocks - 1];
                blocks--;
            }
        }
        double[] out = new double[n];
        int k = 0;
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < size[b]; j++) {
                out[k++] = sign * mean[b];
            }
        }
        return out;
    }

    /** Weighted sum of squared differences between y and a fit. */
    public static double sse(double[] y, double[] w, double[] fit) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += w[i] * (y[i] - fit[i]) * (y[i] - fit[i]);
        }
        return s;
    }
}
