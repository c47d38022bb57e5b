package dev.tierlab.reports.stats;

import java.util.ArrayList;
import java.util.List;

/** Independent, slow reference: the rank-sum permutation test by enumerating every split. */
final class BruteForce {

    private BruteForce() {
    }

    /** {two-sided p, attained alpha at alpha, smallest possible p}. */
    static double[] rankSumTest(double[] x, double[] y, double alpha) {
        int n = x.length + y.length;
        double[] all = new double[n];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(y, 0, all, x.length, y.length);
        double[] rank = new double[n];
        for (int i = 0; i < n; i++) {
            double below = 0;
            double equal = 0;
            for (int j = 0; j < n; j++) {
                if (all[j] < all[i]) {
                    below++;
                } else if (all[j] == all[i]) {
                    equal++;
                }
            }
            rank[i] = below + (equal + 1) / 2; // midrank
        }
        double mean = x.length * (n + 1) / 2.0;
        double obs = 0;
        for (int i = 0; i < x.length; i++) {
            obs += rank[i];
        }
        List<Double> sums = new ArrayList<>();
        for (int mask = 0; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) != x.length) {
                continue;
            }
            double s = 0;
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    s += rank[i];
                }
            }
            sums.add(s);
        }
        double total = sums.size();
        double dObs = Math.abs(obs - mean);
        double p = sums.stream().filter(s -> Math.abs(s - mean) >= dObs - 1e-9).count() / total;
        double maxDev = sums.stream().mapToDouble(s -> Math.abs(s - mean)).max().orElseThrow();
        double minP = sums.stream().filter(s -> Math.abs(s - mean) >= maxDev - 1e-9).count() / total;
        double attained = 0;
        for (double s : sums) {
            double d = Math.abs(s - mean);
            double ps = sums.stream().filter(t -> Math.abs(t - mean) >= d - 1e-9).count() / total;
            if (ps <= alpha + 1e-12) {
                attained += 1 / total;
            }
        }
        return new double[] {p, attained, minP};
    }
}
