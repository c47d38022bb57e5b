package dev.tierlab.inference.java;

import dev.tierlab.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Rows of GGUF tensor data as floats, for code outside the engine (the synthesizer's router calibration). */
public final class Dequantize {

    private Dequantize() {
    }

    /** Whether {@link #row} reads {@code t}. */
    public static boolean supports(GgmlType t) {
        return switch (t) {
            case F32, F16, Q8_0, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    /** The {@code cols} values of the row whose bytes start at {@code offset} of {@code data}. */
    public static float[] row(GgmlType t, byte[] data, int offset, int cols) {
        float[] y = new float[cols];
        Kernels.dequantRow(t, MemorySegment.ofArray(data), offset, y, cols);
        return y;
    }
}
