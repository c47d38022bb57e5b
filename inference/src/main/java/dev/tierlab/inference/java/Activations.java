package dev.tierlab.inference.java;

/**
 * The input rows of one or more matmuls (one per token), with the other forms weight types take
 * made once and shared: q, k and v, or gate and up, read the same normalized activations.
 */
final class Activations {

    final float[][] x;
    private float[][] f16Rounded;
    private Q8Row[] q8;
    private GroupedQ4.Arranged[] groupedQ4;
    private float[][] sliceOrdered;

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

    /** Each row quantized to q8_0, the form q8_0 and q4_0 weights meet in {@link MatVec}. */
    Q8Row[] q8() {
        if (q8 == null) {
            Q8Row[] rows = new Q8Row[x.length];
            for (int t = 0; t < x.length; t++) {
                rows[t] = Q8Row.of(x[t]);
            }
            q8 = rows;
        }
        return q8;
    }

    /** Each row's q8_0 form arranged for q4_0 weights ({@link GroupedQ4}). */
    GroupedQ4.Arranged[] groupedQ4() {
        if (groupedQ4 == null) {
            GroupedQ4.Arranged[] rows = new GroupedQ4.Arranged[x.length];
            Q8Row[] q = q8();
            for (int t = 0; t < x.length; t++) {
                rows[t] = GroupedQ4.Arranged.of(q[t]);
            }
            groupedQ4 = rows;
        }
        return groupedQ4;
    }

    /** The float form {@code w} meets in a batch, in the order of {@link Weight#batchRow}. */
    float[][] floatsFor(Weight w) {
        return switch (w.type()) {
            case F16 -> f16Rounded();
            case Q4_0 -> {
                if (sliceOrdered == null) {
                    float[][] rows = new float[x.length][];
                    for (int t = 0; t < x.length; t++) {
                        rows[t] = GroupedQ4.toSliceOrder(x[t]);
                    }
                    sliceOrdered = rows;
                }
                yield sliceOrdered;
            }
            default -> x;
        };
    }
}
