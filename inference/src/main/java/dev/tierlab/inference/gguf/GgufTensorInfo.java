package dev.tierlab.inference.gguf;

import java.util.Arrays;

/**
 * A tensor as the GGUF header describes it. {@code dims[0]} is the innermost (row) dimension, as
 * ggml's {@code ne[0]}; {@code offset} is relative to the start of the tensor-data section.
 */
public record GgufTensorInfo(String name, long[] dims, GgmlType type, long offset) {

    public GgufTensorInfo {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int nDims() {
        return dims.length;
    }

    public long dim(int i) {
        return i < dims.length ? dims[i] : 1;
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    /** Layer index from a {@code blk.N.} prefix, or -1 for tensors outside the layer stack. */
    public int layer() {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = name.indexOf('.', 4);
        try {
            return Integer.parseInt(name.substring(4, end));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && Arrays.equals(dims, t.dims)
                && type == t.type && offset == t.offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return "%s %s %s @%d".formatted(name, Arrays.toString(dims), type, offset);
    }
}
