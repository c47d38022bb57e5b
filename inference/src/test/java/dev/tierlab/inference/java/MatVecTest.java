package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tierlab.inference.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each weight type's row loop, split over threads as the engine runs it, gives every token the
 * dot of the dequantized row with the activations in the form that type meets them, plus bias.
 */
class MatVecTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void everyRowAndTokenGetsItsDotPlusBias(GgmlType type) throws IOException {
        int cols = 512;
        int rows = 37;
        int tokens = 3;
        Weight w = Weight.load("w", KernelsTest.randomRows(type, cols, rows, 3), type, rows, cols, Arena.ofAuto());
        float[][] x = gaussian(tokens, cols, 9);
        float[] bias = bias(rows);
        Activations in = new Activations(x);
        float[][] out = new float[tokens][rows];
        try (Parallel pool = new Parallel(3)) {
            pool.forRange(rows, MatVec.rows(w, in, out, bias));
        }
        assertDotsPlusBias(w, out, bias, t -> activationsAsMet(type, in, t));
    }

    static float[][] gaussian(int tokens, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] x = new float[tokens][cols];
        for (float[] xt : x) {
            for (int i = 0; i < cols; i++) {
                xt[i] = (float) rnd.nextGaussian();
            }
        }
        return x;
    }

    static float[] bias(int rows) {
        float[] bias = new float[rows];
        for (int r = 0; r < rows; r++) {
            bias[r] = r * 0.25f;
        }
        return bias;
    }

    /** out[t][r] is row r of w (dequantized) . met(t), plus bias[r], up to float rounding. */
    static void assertDotsPlusBias(Weight w, float[][] out, float[] bias, IntFunction<float[]> met) {
        float[] row = new float[w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            w.row(r, row);
            for (int t = 0; t < out.length; t++) {
                float[] m = met.apply(t);
                double expected = bias[r];
                double magnitude = Math.abs(bias[r]);
                for (int i = 0; i < row.length; i++) {
                    expected += (double) row[i] * m[i];
                    magnitude += Math.abs((double) row[i] * m[i]);
                }
                assertEquals(expected, out[t][r], 1e-5 * magnitude, w.type() + " row " + r + " token " + t);
            }
        }
    }

    /** x as the kernel sees it: q8_0 codes times scales, f16-rounded, or as is. */
    private static float[] activationsAsMet(GgmlType type, Activations in, int t) {
        return switch (type) {
            case Q8_0, Q4_0 -> {
                Q8Row q = in.q8()[t];
                float[] v = new float[q.codes().length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = q.codes()[i] * q.scales()[i / 32];
                }
                yield v;
            }
            case F16 -> in.f16Rounded()[t];
            default -> in.x[t];
        };
    }
}
