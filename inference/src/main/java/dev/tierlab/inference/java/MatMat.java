package dev.tierlab.inference.java;

/**
 * Matrix products for a batch of four or more tokens: each row is dequantized once (in the order
 * {@link Weight#batchRow} gives) and meets every token in float multiply-adds, four rows and two
 * tokens at a time ({@link Kernels#dotTile4x2}).
 */
final class MatMat {

    private static final int TILE_ROWS = 4;

    private MatMat() {
    }

    /** The loop body that computes out[t][r] = W[r] . x[t] (+ bias[r]) for a range of rows. */
    static Parallel.RangeBody rows(Weight w, Activations in, float[][] out, float[] bias) {
        int cols = w.batchCols();
        float[][] x = in.floatsFor(w);
        return (from, to) -> {
            float[][] tile = new float[TILE_ROWS][cols];
            float[] dots = new float[2 * TILE_ROWS];
            int r = from;
            for (; r + TILE_ROWS <= to; r += TILE_ROWS) {
                for (int k = 0; k < TILE_ROWS; k++) {
                    w.batchRow(r + k, tile[k]);
                }
                int t = 0;
                for (; t + 2 <= x.length; t += 2) {
                    Kernels.dotTile4x2(tile, x[t], x[t + 1], cols, dots);
                    for (int k = 0; k < TILE_ROWS; k++) {
                        out[t][r + k] = dots[2 * k] + MatVec.bias(bias, r + k);
                        out[t + 1][r + k] = dots[2 * k + 1] + MatVec.bias(bias, r + k);
                    }
                }
                for (; t < x.length; t++) {
                    for (int k = 0; k < TILE_ROWS; k++) {
                        out[t][r + k] = Kernels.dotArrays(tile[k], x[t], 0, cols) + MatVec.bias(bias, r + k);
                    }
                }
            }
            for (; r < to; r++) {
                w.batchRow(r, tile[0]);
                for (int t = 0; t < x.length; t++) {
                    out[t][r] = Kernels.dotArrays(tile[0], x[t], 0, cols) + MatVec.bias(bias, r);
                }
            }
        };
    }
}
