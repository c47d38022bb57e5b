package dev.tierlab.emulator.timeline;

import dev.tierlab.emulator.placement.TensorRef;
import java.util.List;

/**
 * What the reference timeline needs to know about a model: its weight tensors (bytes, elements and
 * GGUF type, so FLOPs and dtypes follow), and the attention geometry that sizes the KV cache and the
 * attention products.
 *
 * @param kvBytesPerTokenPerLayer K and V bytes one token adds to one layer's cache
 */
public record ModelGeometry(List<TensorRef> tensors, int nLayer, int nHead, int headDim, long kvBytesPerTokenPerLayer) {

    public ModelGeometry {
        tensors = List.copyOf(tensors);
        if (nLayer <= 0) {
            throw new IllegalArgumentException("nLayer must be >= 1, got " + nLayer);
        }
    }

    /** Layer indices per step: the blocks, then the pseudo-layer of everything outside them. */
    public int layerIndices() {
        return nLayer + 1;
    }
}
