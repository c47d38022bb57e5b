package dev.tierlab.inference.model;

/** One tensor of a model layout before a quant type is chosen. {@code layer} is -1 outside blocks. */
public record TensorSpec(String name, long[] dims, int layer) {

    public long rowLength() {
        return dims[0];
    }

    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** 1-D tensors (norms, biases, rope factors) stay F32 in every mix, as llama.cpp keeps them. */
    public boolean isVector() {
        return dims.length == 1;
    }

    public TensorClass tensorClass() {
        return TensorClass.of(name);
    }
}
