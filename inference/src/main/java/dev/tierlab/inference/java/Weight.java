package dev.tierlab.inference.java;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;

/** A weight matrix of {@code rows} rows of {@code cols} elements, in its GGUF encoding. */
record Weight(String name, MemorySegment data, GgmlType type, int rows, int cols) {

    static Weight of(GgufFile f, GgufTensorInfo t) {
        if (!Kernels.supports(t.type())) {
            throw new IllegalArgumentException("%s: tensor %s is %s; the Java engine supports f32, f16, q8_0, q4_0, q4_K, q6_K"
                    .formatted(f.path(), t.name(), t.type().ggmlName()));
        }
        return new Weight(t.name(), f.tensorData(t), t.type(), (int) t.dim(1), (int) t.dim(0));
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

    void row(int row, float[] out) {
        Kernels.dequantRow(type, data, row * rowBytes(), out, cols);
    }
}
