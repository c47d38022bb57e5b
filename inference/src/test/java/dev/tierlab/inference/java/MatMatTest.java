package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tierlab.inference.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The batch product, split over threads as the engine runs it, gives every row and token the dot
 * of the dequantized row with the float activations (f16-rounded for f16 weights), plus bias:
 * across whole tiles of four rows and two tokens, and the rows and token left over.
 */
class MatMatTest {

    @ParameterizedTest
    @CsvSource({"F32, 100", "F16, 512", "Q8_0, 512", "Q4_0, 544", "Q4_0, 896", "Q4_K, 512", "Q6_K, 512"})
    void everyRowAndTokenGetsItsDotPlusBias(GgmlType type, int cols) throws IOException {
        int rows = 37;
        int tokens = 7;
        Weight w = Weight.load("w", KernelsTest.randomRows(type, cols, rows, 4), type, rows, cols, Arena.ofAuto());
        SplittableRandom rnd = new SplittableRandom(10);
        float[][] x = new float[tokens][cols];
        for (float[] xt : x) {
            for (int i = 0; i < cols; i++) {
                xt[i] = (float) rnd.nextGaussian();
            }
        }
        float[] bias = new float[rows];
        for (int r = 0; r < rows; r++) {
            bias[r] = r * 0.5f - 3;
        }
        Activations in = new Activations(x);
        float[][] out = new float[tokens][rows];
        try (Parallel pool = new Parallel(3)) {
            pool.forRange(rows, MatMat.rows(w, in, out, bias));
        }
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.row(r, row);
            for (int t = 0; t < tokens; t++) {
                float[] met = type == GgmlType.F16 ? in.f16Rounded()[t] : x[t];
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
}
