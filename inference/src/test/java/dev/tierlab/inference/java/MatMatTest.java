package dev.tierlab.inference.java;

import dev.tierlab.inference.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
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
        float[][] x = MatVecTest.gaussian(tokens, cols, 10);
        float[] bias = MatVecTest.bias(rows);
        Activations in = new Activations(x);
        float[][] out = new float[tokens][rows];
        try (Parallel pool = new Parallel(3)) {
            pool.forRange(rows, MatMat.rows(w, in, out, bias));
        }
        MatVecTest.assertDotsPlusBias(w, out, bias, t -> type == GgmlType.F16 ? in.f16Rounded()[t] : x[t]);
    }
}
