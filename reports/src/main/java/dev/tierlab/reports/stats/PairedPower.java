package dev.tierlab.reports.stats;

import java.util.SplittableRandom;

/**
 * Power of the paired-ratio interval ({@link RatioEstimate#conclusive()}): the chance that n pairs, with
 * per-pair log-ratio SD {@code sdLog}, give an interval excluding 1 when the true ratio is
 * {@code trueRatio}. Estimated by simulation of the very procedure the report uses, with normal
 * log-ratios; {@code simulations} runs give a standard error of at most 0.5/sqrt(simulations).
 */
public final class PairedPower {

    public static final int DEFAULT_SIMULATIONS = 400;

    private PairedPower() {
    }

    public static double of(int nPairs, double sdLog, double trueRatio, int simulations, long seed) {
        if (nPairs < 1 || !(sdLog >= 0) || !(trueRatio > 0) || simulations < 1) {
            throw new IllegalArgumentException("power needs n >= 1, sd >= 0, ratio > 0, simulations >= 1");
        }
        if (nPairs < RatioEstimate.MIN_N) {
            return 0;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double mu = Math.log(trueRatio);
        int hits = 0;
        double[] ratios = new double[nPairs];
        for (int s = 0; s < simulations; s++) {
            for (int i = 0; i < nPairs; i++) {
                ratios[i] = Math.exp(mu + sdLog * rnd.nextGaussian());
            }
            if (RatioSample.paired(ratios).estimate(rnd.nextLong()).conclusive()) {
                hits++;
            }
        }
        return hits / (double) simulations;
    }
}
