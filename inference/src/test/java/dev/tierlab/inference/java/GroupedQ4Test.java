package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tierlab.inference.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * q4_0 regrouped: every value survives the regrouping, in value order and in slice order, and
 * both kernel widths give the dot of the dequantized row with the quantized activations. Row
 * lengths cover whole groups, short last groups of fewer and more than 8 blocks, and one block.
 */
class GroupedQ4Test {

    private static final int ROWS = 5;

    @ParameterizedTest
    @ValueSource(ints = {32, 224, 512, 544, 896, 1536, 4864})
    void regroupingKeepsEveryValue(int cols) throws IOException {
        MemorySegment gguf = KernelsTest.randomRows(GgmlType.Q4_0, cols, ROWS, 21);
        MemorySegment grouped = GroupedQ4.regroup(gguf, ROWS, cols, Arena.ofAuto());
        assertEquals(gguf.byteSize() + Weight.SLACK, grouped.byteSize(), "regrouping keeps the size, plus the slack");
        long rowBytes = GgmlType.Q4_0.byteSize(cols);
        float[] got = new float[cols];
        for (int r = 0; r < ROWS; r++) {
            GroupedQ4.dequantRow(grouped, r * rowBytes, got, cols);
            assertArrayEquals(ggufRow(gguf, r * rowBytes, cols), got, "row " + r);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 224, 544, 896})
    void sliceOrderMatchesTheActivationsPermutation(int cols) throws IOException {
        MemorySegment gguf = KernelsTest.randomRows(GgmlType.Q4_0, cols, ROWS, 22);
        MemorySegment grouped = GroupedQ4.regroup(gguf, ROWS, cols, Arena.ofAuto());
        long rowBytes = GgmlType.Q4_0.byteSize(cols);
        for (boolean wide : new boolean[] {true, false}) {
            for (int r = 0; r < ROWS; r++) {
                float[] sliceOrder = new float[GroupedQ4.sliceOrderLength(cols)];
                GroupedQ4.dequantSliceOrder(grouped, r * rowBytes, sliceOrder, cols, wide);
                // delta 0: equal values, where padding lanes may come out as -0.0
                assertArrayEquals(GroupedQ4.toSliceOrder(ggufRow(gguf, r * rowBytes, cols)), sliceOrder, 0f,
                        (wide ? "512" : "256") + "-bit, row " + r);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 224, 512, 544, 896, 1056, 4864})
    void bothWidthsGiveTheDotOfTheDequantizedRow(int cols) throws IOException {
        MemorySegment gguf = KernelsTest.randomRows(GgmlType.Q4_0, cols, ROWS, 23);
        MemorySegment grouped = GroupedQ4.regroup(gguf, ROWS, cols, Arena.ofAuto());
        SplittableRandom rnd = new SplittableRandom(7);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) (rnd.nextGaussian() * (1 + i % 5));
        }
        assertDotsMatch(gguf, grouped, cols, Q8Row.of(x));
    }

    /**
     * The largest products there are (every nibble 15 or 0, every code +-127) still sum exactly in
     * the 16-bit lanes: the bound the layout's accumulation relies on.
     */
    @ParameterizedTest
    @ValueSource(ints = {0x00, 0xFF, 0x0F, 0xF0})
    void extremeNibblesAndCodesStayExact(int quantByte) {
        int cols = 896;
        MemorySegment gguf = Arena.ofAuto().allocate(GgmlType.Q4_0.byteSize(cols) * ROWS);
        for (long b = 0; b < gguf.byteSize() / 18; b++) {
            gguf.set(Kernels.I16, 18 * b, Float.floatToFloat16(1.0f));
            for (int j = 0; j < 16; j++) {
                gguf.set(ValueLayout.JAVA_BYTE, 18 * b + 2 + j, (byte) quantByte);
            }
        }
        MemorySegment grouped = GroupedQ4.regroup(gguf, ROWS, cols, Arena.ofAuto());
        for (float sign : new float[] {1, -1}) {
            float[] x = new float[cols];
            Arrays.fill(x, sign * 3.5f);
            assertDotsMatch(gguf, grouped, cols, Q8Row.of(x));
        }
    }

    private static void assertDotsMatch(MemorySegment gguf, MemorySegment grouped, int cols, Q8Row x) {
        long rowBytes = GgmlType.Q4_0.byteSize(cols);
        GroupedQ4.Arranged arranged = GroupedQ4.Arranged.of(x);
        for (int r = 0; r < ROWS; r++) {
            float[] row = ggufRow(gguf, r * rowBytes, cols);
            KernelsTest.assertQ8Dot(row, x, GroupedQ4.dotWide(grouped, r * rowBytes, arranged, cols / 32), "512-bit, row " + r);
            KernelsTest.assertQ8Dot(row, x, GroupedQ4.dotNarrow(grouped, r * rowBytes, arranged, cols / 32), "256-bit, row " + r);
        }
    }

    /** A GGUF q4_0 row decoded value by value, as ggml's dequantize_row_q4_0 does. */
    private static float[] ggufRow(MemorySegment w, long off, int cols) {
        float[] y = new float[cols];
        for (int b = 0; b < cols / 32; b++) {
            long bo = off + 18L * b;
            float d = Float.float16ToFloat(w.get(Kernels.I16, bo));
            for (int j = 0; j < 16; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, bo + 2 + j) & 0xFF;
                y[32 * b + j] = ((q & 0x0F) - 8) * d;
                y[32 * b + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
        return y;
    }
}
