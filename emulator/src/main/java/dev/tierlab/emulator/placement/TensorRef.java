package dev.tierlab.emulator.placement;

/**
 * A weight tensor as the emulator sees it. {@code layer} is -1 outside the layer stack;
 * {@code tensorClass} is attn, ffn, experts, embeddings, output or other; {@code rowBytes} is the
 * size of one row for tensors read by row lookup (the token embeddings at the start of a step),
 * else 0. A whole-matrix read of the embeddings is the tied output projection, at the output head.
 */
public record TensorRef(String name, int layer, String tensorClass, long bytes, long rowBytes, long elements, String ggmlType) {

    /** A tensor known only by its bytes (no FLOPs are charged for it). */
    public TensorRef(String name, int layer, String tensorClass, long bytes, long rowBytes) {
        this(name, layer, tensorClass, bytes, rowBytes, 0, "f32");
    }

    /** GGUF's routed expert tensors (ffn_gate_exps, ffn_up_exps, ffn_down_exps): one slab per expert. */
    public boolean isRoutedExperts() {
        return layer >= 0 && name.contains("_exps.");
    }

    /** Whether a step multiplies by this tensor (not a row lookup, not a 1-D norm or bias). */
    public boolean isMatrix() {
        return rowBytes == 0 && elements > 0;
    }

    /** Layer index (0..nLayer, nLayer the output head) at which a step reads this tensor. */
    public int accessIndex(int nLayer) {
        if (layer >= 0) {
            return Math.min(layer, nLayer - 1);
        }
        boolean outputProjection = tensorClass.equals("output") || (tensorClass.equals("embeddings") && rowBytes == 0);
        return outputProjection ? nLayer : 0;
    }
}
