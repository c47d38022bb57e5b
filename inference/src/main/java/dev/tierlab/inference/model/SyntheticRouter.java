package dev.tierlab.inference.model;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.java.Dequantize;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Routers for synthesized mixture-of-experts models whose expert popularity follows a stated skew.
 *
 * <p>The assumption, per layer: experts are ranked by a seeded permutation, rank r gets weight
 * (r+1)^-s, and each token's k experts are drawn without replacement in proportion to the weights
 * (Plackett-Luce; s = 0 is uniform). Random weights alone route near-uniformly and in a way no one
 * chose, so the synthesizer builds this in:
 * <ul>
 *   <li>every token embedding starts with the same anchor block, and the output projections of
 *       attention and of every expert are zero, so each block's FFN input is exactly the token's
 *       normalized embedding (shapes, types and therefore time are those of the real model);</li>
 *   <li>router row e is b_e along the anchor plus random weights elsewhere: logit_e(token) =
 *       (b_e + noise_e(token)) / rms(token), with the noise a fixed function of the token;</li>
 *   <li>the biases b_e are calibrated on a sample of token rows (dequantized exactly as llama.cpp
 *       will see them) until each expert's share of selections matches the assumption's.</li>
 * </ul>
 * Routing then depends only on the token: a run over distinct tokens (llama-bench's random tokens)
 * draws from the stated distribution. {@link #fitZipf} recovers s from a measured histogram.
 */
public final class SyntheticRouter {

    static final float ROUTER_SIGMA = 0.02f;
    private static final int SAMPLE_TOKENS = 3000;
    private static final int ITERATIONS = 80;
    private static final int DRAWS = 40_000;

    private SyntheticRouter() {
    }

    /** Elements of the anchor block at the start of every embedding row. */
    static int anchorElements(GgmlType t) {
        return t.isQuantized() ? t.blockSize() : 32;
    }

    /** Bytes of the anchor block. */
    static int anchorBytes(GgmlType t) {
        return anchorElements(t) / t.blockSize() * t.bytesPerBlock();
    }

    /** {@code ranking[r]} is the expert of rank r in {@code layer} (rank 0 the most popular). */
    public static int[] ranking(long seed, int layer, int nExpert) {
        int[] p = new int[nExpert];
        for (int i = 0; i < nExpert; i++) {
            p[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + 7919L * layer + 1);
        for (int i = nExpert - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * Share of tokens that select the expert of each rank under the assumption with exponent
     * {@code s}: Gumbel-top-k draws with a fixed seed, so the result is smooth in s.
     */
    public static double[] inclusionByRank(double s, int nExpert, int k) {
        double[] logW = new double[nExpert];
        for (int r = 0; r < nExpert; r++) {
            logW[r] = -s * Math.log(r + 1);
        }
        double[][] gumbel = gumbel(nExpert);
        long[] counts = new long[nExpert];
        double[] key = new double[nExpert];
        int[] top = new int[k];
        for (int d = 0; d < DRAWS; d++) {
            for (int r = 0; r < nExpert; r++) {
                key[r] = logW[r] + gumbel[d][r];
            }
            topK(key, k, top);
            for (int e : top) {
                counts[e]++;
            }
        }
        double[] pi = new double[nExpert];
        for (int r = 0; r < nExpert; r++) {
            pi[r] = counts[r] / (double) DRAWS;
        }
        return pi;
    }

    private static final java.util.Map<Integer, double[][]> GUMBEL = new java.util.concurrent.ConcurrentHashMap<>();

    /** Fixed Gumbel draws per expert count: common random numbers for every s. */
    private static double[][] gumbel(int nExpert) {
        return GUMBEL.computeIfAbsent(nExpert, n -> {
            SplittableRandom rnd = new SplittableRandom(20_240_917L);
            double[][] g = new double[DRAWS][n];
            for (double[] row : g) {
                for (int r = 0; r < n; r++) {
                    row[r] = -Math.log(-Math.log(1 - rnd.nextDouble()));
                }
            }
            return g;
        });
    }

    /**
     * The exponent s whose expected selection shares best match {@code countsByRank} (selections of
     * each rank, summed over tokens and layers), by least squares on log shares over s in [0, 4].
     */
    public static double fitZipf(long[] countsByRank, int k) {
        long total = Arrays.stream(countsByRank).sum();
        if (total == 0) {
            throw new IllegalArgumentException("no routing decisions to fit");
        }
        double tokens = total / (double) k;
        double[] logShare = new double[countsByRank.length];
        for (int r = 0; r < countsByRank.length; r++) {
            logShare[r] = Math.log((countsByRank[r] + 0.5) / tokens);
        }
        java.util.function.DoubleUnaryOperator loss = s -> {
            double[] pi = inclusionByRank(s, countsByRank.length, k);
            double l = 0;
            for (int r = 0; r < pi.length; r++) {
                double d = logShare[r] - Math.log(Math.max(pi[r], 0.5 / DRAWS));
                l += d * d;
            }
            return l;
        };
        // Coarse scan, then golden-section refinement around the best grid point.
        double best = 0;
        double bestLoss = Double.MAX_VALUE;
        for (double s = 0; s <= 4.0001; s += 0.1) {
            double l = loss.applyAsDouble(s);
            if (l < bestLoss) {
                bestLoss = l;
                best = s;
            }
        }
        double a = Math.max(0, best - 0.1);
        double b = Math.min(4, best + 0.1);
        double g = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 20; i++) {
            double c = b - g * (b - a);
            double d = a + g * (b - a);
            if (loss.applyAsDouble(c) < loss.applyAsDouble(d)) {
                b = d;
            } else {
                a = c;
            }
        }
        return (a + b) / 2;
    }

    /**
     * The embedding rows the calibration looks at: {@code SAMPLE_TOKENS} distinct tokens, each row as
     * llama.cpp dequantizes it (anchor block first).
     */
    static float[][] sampleEmbeddings(RandomBlocks random, GgmlType type, String tensorName, int nEmbd, int nVocab, long seed) {
        if (!Dequantize.supports(type)) {
            throw new IllegalArgumentException("mixture-of-experts routers need token embeddings of f32, f16, q8_0, q4_K or q6_K, not "
                    + type.ggmlName() + ": choose another --quant");
        }
        int rowBytes = (int) (nEmbd / type.blockSize() * (long) type.bytesPerBlock());
        int anchor = anchorBytes(type);
        byte[] anchorData = new byte[anchor];
        random.read(type, tensorName, 0, anchorData);
        int n = Math.min(SAMPLE_TOKENS, nVocab);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] tokens = rnd.ints(0, nVocab).distinct().limit(n).toArray();
        float[][] rows = new float[n][];
        byte[] row = new byte[rowBytes];
        for (int i = 0; i < n; i++) {
            random.read(type, tensorName, (long) tokens[i] * rowBytes, row);
            System.arraycopy(anchorData, 0, row, 0, anchor);
            rows[i] = Dequantize.row(type, row, 0, nEmbd);
        }
        return rows;
    }

    /**
     * Router weights of one layer, {@code [nExpert][nEmbd]} (row e is expert e's logit weights), so that
     * over {@code embeddings} the selections follow the assumption with exponent {@code s}.
     */
    static float[][] weights(float[][] embeddings, int anchorElements, int nExpert, int k, double s, int[] ranking, long seed) {
        int nEmbd = embeddings[0].length;
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] w = new float[nExpert][nEmbd];
        for (float[] row : w) {
            for (int j = anchorElements; j < nEmbd; j++) {
                row[j] = (float) (gaussian(rnd) * ROUTER_SIGMA);
            }
        }
        int t = embeddings.length;
        double[][] noise = new double[t][nExpert];
        double sumSq = 0;
        for (int i = 0; i < t; i++) {
            float[] x = embeddings[i];
            for (int e = 0; e < nExpert; e++) {
                double d = 0;
                float[] we = w[e];
                for (int j = anchorElements; j < nEmbd; j++) {
                    d += we[j] * x[j];
                }
                noise[i][e] = d;
                sumSq += d * d;
            }
        }
        double sigma = Math.sqrt(sumSq / ((double) t * nExpert));
        double[] pi = inclusionByRank(s, nExpert, k);
        double[] target = new double[nExpert];
        double[] bias = new double[nExpert];
        for (int r = 0; r < nExpert; r++) {
            target[ranking[r]] = pi[r];
            bias[ranking[r]] = -s * Math.log(r + 1) * sigma;
        }
        double[] logits = new double[nExpert];
        int[] top = new int[k];
        long[] counts = new long[nExpert];
        for (int it = 0; it < ITERATIONS; it++) {
            Arrays.fill(counts, 0);
            for (int i = 0; i < t; i++) {
                for (int e = 0; e < nExpert; e++) {
                    logits[e] = bias[e] + noise[i][e];
                }
                topK(logits, k, top);
                for (int e : top) {
                    counts[e]++;
                }
            }
            for (int e = 0; e < nExpert; e++) {
                double share = Math.max(counts[e], 0.5) / t;
                bias[e] += 0.7 * sigma * (Math.log(Math.max(target[e], 0.5 / t)) - Math.log(share));
            }
        }
        // The anchor part of row e is bias_e along the anchor u: (bias_e u / |u|^2) . u = bias_e.
        float[] u = Arrays.copyOf(embeddings[0], anchorElements);
        double uu = 0;
        for (float v : u) {
            uu += v * v;
        }
        for (int e = 0; e < nExpert; e++) {
            for (int j = 0; j < anchorElements; j++) {
                w[e][j] = (float) (bias[e] * u[j] / uu);
            }
        }
        return w;
    }

    /** Indices of the k largest values, largest first (insertion into a k-long sorted list). */
    static void topK(double[] v, int k, int[] out) {
        int n = 0;
        for (int e = 0; e < v.length; e++) {
            if (n == k && v[e] <= v[out[k - 1]]) {
                continue;
            }
            int i = n < k ? n++ : k - 1;
            while (i > 0 && v[out[i - 1]] < v[e]) {
                out[i] = out[i - 1];
                i--;
            }
            out[i] = e;
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double s = 0;
        for (int i = 0; i < 12; i++) {
            s += rnd.nextDouble();
        }
        return s - 6;
    }
}
