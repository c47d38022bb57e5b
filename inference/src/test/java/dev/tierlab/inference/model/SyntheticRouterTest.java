package dev.tierlab.inference.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The routing assumption's pieces without llama.cpp: top-k, rankings, the fit, and the router calibration. */
class SyntheticRouterTest {

    @Test
    void topKPicksTheLargestInOrder() {
        int[] out = new int[3];
        SyntheticRouter.topK(new double[] {0.1, 5, -2, 3, 4, 3.5}, 3, out);
        assertArrayEquals(new int[] {1, 4, 5}, out);
    }

    @Test
    void rankingsArePermutationsThatDifferByLayer() {
        int[] a = SyntheticRouter.ranking(42, 0, 64);
        int[] b = SyntheticRouter.ranking(42, 1, 64);
        assertArrayEquals(java.util.stream.IntStream.range(0, 64).toArray(), Arrays.stream(a).sorted().toArray());
        assertTrue(!Arrays.equals(a, b));
        assertArrayEquals(a, SyntheticRouter.ranking(42, 0, 64), "seeded");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.3, 1.0, 2.0})
    void theFitRecoversTheExponentFromExpectedCounts(double s) {
        double[] pi = SyntheticRouter.inclusionByRank(s, 64, 8);
        assertEquals(8.0, Arrays.stream(pi).sum(), 1e-9, "k selections per token");
        long[] counts = Arrays.stream(pi).mapToLong(p -> Math.round(p * 100_000)).toArray();
        assertEquals(s, SyntheticRouter.fitZipf(counts, 8), 0.02);
    }

    @Test
    void calibratedRoutersReproduceTheTargetSharesOnTheirEmbeddings() {
        // 2000 random 256-wide rows with a shared 32-element anchor, 16 experts, top-2, s = 1.2.
        SplittableRandom rnd = new SplittableRandom(1);
        float[] anchor = new float[32];
        for (int j = 0; j < 32; j++) {
            anchor[j] = (float) (rnd.nextDouble() - 0.5);
        }
        float[][] rows = new float[2000][256];
        for (float[] r : rows) {
            System.arraycopy(anchor, 0, r, 0, 32);
            for (int j = 32; j < 256; j++) {
                r[j] = (float) (rnd.nextDouble() - 0.5);
            }
        }
        int[] ranking = SyntheticRouter.ranking(3, 0, 16);
        float[][] w = SyntheticRouter.weights(rows, 32, 16, 2, 1.2, ranking, 9);
        long[] byRank = new long[16];
        int[] rankOf = new int[16];
        for (int r = 0; r < 16; r++) {
            rankOf[ranking[r]] = r;
        }
        double[] logits = new double[16];
        int[] top = new int[2];
        for (float[] x : rows) {
            for (int e = 0; e < 16; e++) {
                double d = 0;
                for (int j = 0; j < 256; j++) {
                    d += w[e][j] * x[j];
                }
                logits[e] = d;
            }
            SyntheticRouter.topK(logits, 2, top);
            for (int e : top) {
                byRank[rankOf[e]]++;
            }
        }
        assertEquals(1.2, SyntheticRouter.fitZipf(byRank, 2), 0.05, Arrays.toString(byRank));
    }
}
