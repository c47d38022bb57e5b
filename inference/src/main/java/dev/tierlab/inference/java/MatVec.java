package dev.tierlab.inference.java;

import java.lang.foreign.MemorySegment;

/**
 * Matrix-vector products for one to three tokens: each row meets each token's activations in the
 * weight type's kernel, straight from the encoded row.
 *
 * <p>Every weight type has its own row loop, and the type is chosen before the parallel loop
 * starts. A shared loop that switched on the type would, once two types ran through it (a q4_0
 * model has a q8_0 output matrix), get both kernels inlined into one compiled method; that passes
 * C2's node budget, and C2 then leaves Vector API calls un-inlined and boxes every vector on the
 * heap, which made the q8_0 kernel five times slower.
 */
final class MatVec {

    private MatVec() {
    }

    /** The loop body that computes out[t][r] = W[r] . in[t] (+ bias[r]) for a range of rows. */
    static Parallel.RangeBody rows(Weight w, Activations in, float[][] out, float[] bias) {
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        int cols = w.cols();
        return switch (w.type()) {
            case F32 -> (from, to) -> f32(data, rowBytes, cols, in.x, out, bias, from, to);
            case F16 -> {
                float[][] x = in.f16Rounded();
                yield (from, to) -> f16(data, rowBytes, cols, x, out, bias, from, to);
            }
            case Q8_0 -> {
                Q8Row[] x = in.q8();
                yield Kernels.WIDE_VECTORS
                        ? (from, to) -> q8_0Wide(data, rowBytes, x, out, bias, from, to)
                        : (from, to) -> q8_0(data, rowBytes, x, out, bias, from, to);
            }
            case Q4_0 -> {
                GroupedQ4.Arranged[] x = in.groupedQ4();
                yield Kernels.WIDE_VECTORS
                        ? (from, to) -> q4_0Wide(data, rowBytes, x, out, bias, from, to)
                        : (from, to) -> q4_0(data, rowBytes, x, out, bias, from, to);
            }
            case Q4_K -> (from, to) -> q4K(data, rowBytes, cols, in.x, out, bias, from, to);
            case Q6_K -> (from, to) -> q6K(data, rowBytes, cols, in.x, out, bias, from, to);
            default -> throw new IllegalArgumentException("the Java engine has no kernel for " + w.type());
        };
    }

    /** bias[r], or 0 for a matrix without bias. */
    static float bias(float[] bias, int r) {
        return bias == null ? 0 : bias[r];
    }

    private static void f32(MemorySegment w, long rowBytes, int cols, float[][] x, float[][] out, float[] bias, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int t = 0; t < x.length; t++) {
                out[t][r] = Kernels.dotF32(w, r * rowBytes, x[t], 0, cols) + bias(bias, r);
            }
        }
    }

    private static void f16(MemorySegment w, long rowBytes, int cols, float[][] x, float[][] out, float[] bias, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int t = 0; t < x.length; t++) {
                out[t][r] = Kernels.dotF16(w, r * rowBytes, x[t], 0, cols) + bias(bias, r);
            }
        }
    }

    private static void q8_0(MemorySegment w, long rowBytes, Q8Row[] x, float[][] out, float[] bias, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int t = 0; t < x.length; t++) {
                out[t][r] = Kernels.dotQ8_0(w, r * rowBytes, x[t].codes(), x[t].scales(), x[t].scales().length) + bias(bias, r);
            }
        }
    }

    private static void q8_0Wide(MemorySegment w, long rowBytes, Q8Row[] x, float[][] out, float[] bias, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int t = 0; t < x.length; t++) {
                out[t][r] = Kernels.dotQ8_0Wide(w, r * rowBytes, x[t].codes(), x[t].scales(), x[t].scales().length) + bias(bias, r);
            }
        }
    }

    private static void q4_0(MemorySegment w, long rowBytes, GroupedQ4.Arranged[] x, float[][] out, float[] bias, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int t = 0; t < x.length; t++) {
                out[t][r] = GroupedQ4.dotNarrow(w, r * rowBytes, x[t], x[t].blocks()) + bias(bias, r);
            }
        }
    }

    private static void q4_0Wide(MemorySegment w, long rowBytes, GroupedQ4.Arranged[] x, float[][] out, float[] bias, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int t = 0; t < x.length; t++) {
                out[t][r] = GroupedQ4.dotWide(w, r * rowBytes, x[t], x[t].blocks()) + bias(bias, r);
            }
        }
    }

    private static void q4K(MemorySegment w, long rowBytes, int cols, float[][] x, float[][] out, float[] bias, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int t = 0; t < x.length; t++) {
                out[t][r] = Kernels.dotQ4K(w, r * rowBytes, x[t], 0, cols) + bias(bias, r);
            }
        }
    }

    private static void q6K(MemorySegment w, long rowBytes, int cols, float[][] x, float[][] out, float[] bias, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int t = 0; t < x.length; t++) {
                out[t][r] = Kernels.dotQ6K(w, r * rowBytes, x[t], 0, cols) + bias(bias, r);
            }
        }
    }
}
