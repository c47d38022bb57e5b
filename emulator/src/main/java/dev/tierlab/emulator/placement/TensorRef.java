package dev.tierlab.emulator.placement;

/**
 * A weight tensor as the emulator sees it. {@code layer} is -1 outside the layer stack;
 * {@code tensorClass} is attn, ffn, experts, embeddings, output or other; {@code rowBytes} is the
 * size of one row for tensors read by row lookup (the token embeddings), else 0.
 */
public record TensorRef(String name, int layer, String tensorClass, long bytes, long rowBytes) {
}
