package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tierlab.inference.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
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
        SplittableRandom rnd = new SplittableRandom(9);
        float[][] x = new float[tokens][cols];
        for (float[] xt : x) {
            for (int i = 0; i < cols; i++) {
                xt[i] = (float) rnd.nextGaussian();
            }
        }
        float[] bias = new float[rows];
        for (int r = 0; r < rows; r++) {
            bias[r] = r * 0.25f;
        }
        Activations in = new Activations(x);
        float[][] out = new float[tokens][rows];
        try (Parallel pool = new Parallel(3)) {
            pool.forRange(rows, MatVec.rows(w, in, out, bias));
        }
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.row(r, row);
            for (int t = 0; t < tokens; t++) {
                float[] met = activationsAsMet(type, in, t);
                double expected = bias[r];
                double magnitude = Math.abs(bias[r]);
                for (int i = 0; i < cols; i++) {
                    expected += (double) row[i] * met[i];
                    magnitude += Math.abs((double) row[i] * met[i]);
                }
                assertEquals(expected, out[t][r], 1e-5 * magnitude, type + " row " + r + " token " + t);
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
