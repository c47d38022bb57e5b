package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.model.RandomBlocks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every vectorized dot product equals the plain dot of the scalar dequantization of the same row. */
class KernelsTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void dotMatchesDequantizeThenMultiply(GgmlType type) throws IOException {
        int cols = 1024;
        int rows = 8;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new RandomBlocks(11).write(type, type.byteSize(cols) * rows, "w", buf);
        MemorySegment w = Arena.ofAuto().allocate(buf.size(), 64);
        MemorySegment.copy(buf.toByteArray(), 0, w, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, buf.size());
        SplittableRandom rnd = new SplittableRandom(5);
        float[] x = new float[cols + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            long off = r * type.byteSize(cols);
            Kernels.dequantRow(type, w, off, row, cols);
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < cols; i++) {
                expected += (double) row[i] * x[3 + i];
                magnitude += Math.abs((double) row[i] * x[3 + i]);
            }
            float got = Kernels.dot(type, w, off, x, 3, cols);
            assertEquals(expected, got, 1e-5 * magnitude + 1e-9, type + " row " + r);
        }
    }
}
