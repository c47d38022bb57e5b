package dev.tierlab.inference.java;

import dev.tierlab.inference.gguf.GgmlType;

/**
 * The input rows of one or more matmuls (one per token), with the other forms weight types take
 * made once and shared: q, k and v, or gate and up, read the same normalized activations.
 */
final class Activations {

    final float[][] x;
    private float[][] f16Rounded;
    private short[][] q8;
    private float[][] q8Scales;

    Activations(float[][] x) {
        this.x = x;
    }

    int tokens() {
        return x.length;
    }

    /** Each value rounded to f16: llama.cpp converts activations to f16 before meeting f16 weights. */
    float[][] f16Rounded() {
        if (f16Rounded == null) {
            f16Rounded = new float[x.length][];
            for (int t = 0; t < x.length; t++) {
                float[] r = new float[x[t].length];
                for (int i = 0; i < r.length; i++) {
                    r[i] = Float.float16ToFloat(Float.floatToFloat16(x[t][i]));
                }
                f16Rounded[t] = r;
            }
        }
        return f16Rounded;
    }

    /** The q8_0 codes of each row ({@link Kernels#quantizeQ8}). */
    short[][] q8() {
        quantize();
        return q8;
    }

    /** The q8_0 block scales of each row. */
    float[][] q8Scales() {
        quantize();
        return q8Scales;
    }

    private void quantize() {
        if (q8 != null) {
            return;
        }
        q8 = new short[x.length][];
        q8Scales = new float[x.length][];
        for (int t = 0; t < x.length; t++) {
            int n = x[t].length;
            if (n % 32 != 0) {
                throw new IllegalArgumentException("rows of %d values are not whole q8_0 blocks of 32".formatted(n));
            }
            q8[t] = new short[n];
            q8Scales[t] = new float[n / 32];
            Kernels.quantizeQ8(x[t], q8[t], q8Scales[t]);
        }
    }

    /** The float form a weight of type {@code t} meets (the q8_0 types use {@link #q8()} instead). */
    float[][] floatsFor(GgmlType t) {
        return t == GgmlType.F16 ? f16Rounded() : x;
    }
}
