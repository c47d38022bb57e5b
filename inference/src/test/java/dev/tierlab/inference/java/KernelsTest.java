package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.model.RandomBlocks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every vectorized dot product equals the plain dot of the scalar dequantization of the same row. */
class KernelsTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q4_K", "Q6_K"})
    void dotMatchesDequantizeThenMultiply(GgmlType type) throws IOException {
        int cols = 1024;
        int rows = 8;
        MemorySegment w = randomRows(type, cols, rows, 11);
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
            float got = switch (type) {
                case F32 -> Kernels.dotF32(w, off, x, 3, cols);
                case F16 -> Kernels.dotF16(w, off, x, 3, cols);
                case Q4_K -> Kernels.dotQ4K(w, off, x, 3, cols);
                default -> Kernels.dotQ6K(w, off, x, 3, cols);
            };
            assertEquals(expected, got, 1e-5 * magnitude + 1e-9, type + " row " + r);
        }
    }

    /**
     * The q8_0-activation kernels: the dot of a row with quantized x equals the plain dot of the
     * dequantized row with the dequantized codes (the integer part is exact, only float rounding
     * of the scaled block sums differs). Both widths are checked whatever this machine's vector
     * width (the Vector API runs the other width in software). q4_0: {@link GroupedQ4Test}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q8_0 512-bit"})
    void q8ActivationDotsMatchDequantizedProducts(String kernel) throws IOException {
        GgmlType type = GgmlType.Q8_0;
        int cols = 1024;
        int rows = 8;
        MemorySegment w = randomRows(type, cols, rows, 11);
        SplittableRandom rnd = new SplittableRandom(5);
        Q8Row[] xs = new Q8Row[3];
        for (int t = 0; t < xs.length; t++) {
            float[] x = new float[cols];
            for (int i = 0; i < cols; i++) {
                x[i] = (float) (rnd.nextGaussian() * (1 + i % 7));
            }
            xs[t] = Q8Row.of(x);
        }
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            long off = r * type.byteSize(cols);
            Kernels.dequantRow(type, w, off, row, cols);
            for (Q8Row x : xs) {
                float got = switch (kernel) {
                    case "q8_0 512-bit" -> Kernels.dotQ8_0Wide(w, off, x.codes(), x.scales(), cols / 32);
                    default -> Kernels.dotQ8_0(w, off, x.codes(), x.scales(), cols / 32);
                };
                assertQ8Dot(row, x, got, kernel + " row " + r);
            }
        }
    }

    /** The vectorized SwiGLU gate equals the scalar formula within float rounding, tails included. */
    @Test
    void swiGluMatchesTheScalarFormula() {
        SplittableRandom rnd = new SplittableRandom(2);
        float[] g = new float[61];
        float[] u = new float[61];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (rnd.nextGaussian() * 6);
            u[i] = (float) rnd.nextGaussian();
        }
        float[] expected = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            expected[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
        }
        float[] original = g.clone();
        Kernels.swiGlu(g, u, 3, 58);
        for (int i = 0; i < g.length; i++) {
            float want = i < 3 || i >= 58 ? original[i] : expected[i];
            assertEquals(want, g[i], 1e-6f * (1 + Math.abs(want)), "index " + i);
        }
    }

    /** The vector f16 conversion the attention reads the KV cache with gives Float.float16ToFloat for every finite f16. */
    @Test
    void convertsEveryFiniteF16Exactly() {
        MemorySegment cache = Arena.ofAuto().allocate(2L * 65536, 64);
        for (int h = 0; h < 65536; h++) {
            cache.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT, h, (short) h);
        }
        for (int h = 0; h < 65536; h += 8) {
            float[] got = Kernels.f16x8(cache, 2L * h).toArray();
            for (int i = 0; i < 8; i++) {
                float expected = Float.float16ToFloat((short) (h + i));
                if (Float.isFinite(expected)) {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got[i]), "f16 bits 0x" + Integer.toHexString(h + i));
                }
            }
        }
    }

    /** Activations are quantized as llama.cpp's quantize_row_q8_0: d = amax/127 at f16 precision, codes rounded. */
    @Test
    void quantizesActivationsAsLlamaCppDoes() {
        float[] x = new float[64];
        for (int i = 0; i < 32; i++) {
            x[i] = (i - 16) * 0.37f;
        }
        x[5] = -9.9f; // the block's amax, negative
        float[] d = new float[2];
        short[] q = new short[64];
        Kernels.quantizeQ8(x, q, d);
        float scale = 9.9f / 127;
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(scale)), d[0]);
        assertEquals(-127, q[5]);
        for (int i = 0; i < 32; i++) {
            assertEquals(Math.rint(x[i] / scale), q[i], 1e-9, "value " + i);
        }
        assertEquals(0, d[1], "an all-zero block has scale 0");
        assertEquals(0, q[40]);
    }

    /**
     * {@code got} is the dot of {@code row} with x's dequantized codes: the integer part of the
     * kernels is exact, so only float rounding of the scaled block sums may differ.
     */
    static void assertQ8Dot(float[] row, Q8Row x, float got, String what) {
        double expected = 0;
        double magnitude = 0;
        for (int i = 0; i < row.length; i++) {
            double xi = (double) x.codes()[i] * x.scales()[i / 32];
            expected += row[i] * xi;
            magnitude += Math.abs(row[i] * xi);
        }
        assertEquals(expected, got, 1e-5 * magnitude, what);
    }

    /** {@code rows} rows of {@code cols} random (but finite) values in {@code type}'s encoding. */
    static MemorySegment randomRows(GgmlType type, int cols, int rows, long seed) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new RandomBlocks(seed).write(type, type.byteSize(cols) * rows, "w", buf);
        MemorySegment w = Arena.ofAuto().allocate(buf.size(), 64);
        MemorySegment.copy(buf.toByteArray(), 0, w, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, buf.size());
        return w;
    }
}
