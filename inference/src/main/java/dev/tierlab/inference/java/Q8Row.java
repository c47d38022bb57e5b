package dev.tierlab.inference.java;

/**
 * One activation row quantized to q8_0 ({@link Kernels#quantizeQ8}): codes widened to 16 bits,
 * the lane width the kernels multiply in, and one scale per block of 32.
 */
record Q8Row(short[] codes, float[] scales) {

    static Q8Row of(float[] x) {
        int n = x.length;
        if (n % 32 != 0) {
            throw new IllegalArgumentException("rows of %d values are not whole q8_0 blocks of 32".formatted(n));
        }
        short[] codes = new short[n];
        float[] scales = new float[n / 32];
        Kernels.quantizeQ8(x, codes, scales);
        return new Q8Row(codes, scales);
    }
}
