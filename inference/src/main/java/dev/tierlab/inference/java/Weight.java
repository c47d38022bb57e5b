package dev.tierlab.inference.java;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix of {@code rows} rows of {@code cols} elements: q4_0 in {@link GroupedQ4}'s layout
 * (regrouped at load, same size), every other type in its GGUF encoding, read straight from the file.
 */
record Weight(String name, MemorySegment data, GgmlType type, int rows, int cols) {

    /**
     * Bytes the 512-bit q4_0 kernel may read past the last row (a short last group's full-width
     * loads); segments that hold q4_0 rows for it (regrouped, staged) end with this much to spare.
     */
    static final long SLACK = 32;

    static Weight of(GgufFile f, GgufTensorInfo t, Arena arena) {
        if (!Kernels.supports(t.type())) {
            throw new IllegalArgumentException("%s: tensor %s is %s; the Java engine supports f32, f16, q8_0, q4_0, q4_K, q6_K"
                    .formatted(f.path(), t.name(), t.type().ggmlName()));
        }
        return load(t.name(), f.tensorData(t), t.type(), (int) t.dim(1), (int) t.dim(0), arena);
    }

    /**
     * A matrix from its GGUF bytes; q4_0 is regrouped into {@code arena}. Other types stay where
     * they are, but are seen through a plain native segment: were the kernels to meet both mapped
     * and native segments (the regrouped q4_0, staging buffers), HotSpot's shared type profile of
     * the Vector API's segment loads would turn every load into a two-way type check (a q4_0 kernel
     * loop measured 46 against 67 G values/s).
     */
    static Weight load(String name, MemorySegment gguf, GgmlType type, int rows, int cols, Arena arena) {
        MemorySegment data = type == GgmlType.Q4_0 ? GroupedQ4.regroup(gguf, rows, cols, arena) : gguf.reinterpret(gguf.byteSize());
        return new Weight(name, data, type, rows, cols);
    }

    long rowBytes() {
        return type.byteSize(cols);
    }

    long bytes() {
        return rowBytes() * rows;
    }

    /** The same matrix over another copy of its bytes (a staging buffer in copy mode). */
    Weight over(MemorySegment copy) {
        return new Weight(name, copy, type, rows, cols);
    }

    /** One row as floats in value order. */
    void row(int row, float[] out) {
        if (type == GgmlType.Q4_0) {
            GroupedQ4.dequantRow(data, row * rowBytes(), out, cols);
        } else {
            Kernels.dequantRow(type, data, row * rowBytes(), out, cols);
        }
    }

    /** Length of a row as {@link #batchRow} gives it. */
    int batchCols() {
        return type == GgmlType.Q4_0 ? GroupedQ4.sliceOrderLength(cols) : cols;
    }

    /**
     * One row as floats for a batch, in the order its bytes hold the values (for q4_0 the layout's
     * slice order, which {@link Activations#floatsFor} matches); cheaper to decode than value order.
     */
    void batchRow(int row, float[] out) {
        if (type == GgmlType.Q4_0) {
            GroupedQ4.dequantSliceOrder(data, row * rowBytes(), out, cols);
        } else {
            row(row, out);
        }
    }
}
