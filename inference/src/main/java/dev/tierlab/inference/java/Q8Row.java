package dev.tierlab.inference.java;

/**
 * One activation row quantized to q8_0 ({@link Kernels#quantizeQ8}), in the lane widths the
 * kernels multiply in: 16-bit codes for q8_0 (and q4_0 on 256-bit vectors), 32-bit codes for q4_0
 * on 512-bit vectors; one scale per block of 32.
 */
record Q8Row(short[] codes, int[] codes32, float[] scales) {

    static Q8Row of(float[] x) {
        int n = x.length;
        if (n % 32 != 0) {
            throw new IllegalArgumentException("rows of %d values are not whole q8_0 blocks of 32".formatted(n));
        }
        short[] codes = new short[n];
        float[] scales = new float[n / 32];
        Kernels.quantizeQ8(x, codes, scales);
        int[] codes32 = new int[n];
        for (int i = 0; i < n; i++) {
            codes32[i] = codes[i];
        }
        return new Q8Row(codes, codes32, scales);
    }
}
