package dev.tierlab.emulator.timeline;

import dev.tierlab.emulator.placement.TensorRef;
import java.util.List;

/**
 * What the reference timeline needs to know about a model: its weight tensors (bytes, elements and
 * GGUF type, so FLOPs and dtypes follow), and the attention geometry that sizes the KV cache and the
 * attention products.
 *
 * @param headDim the mean of the key and value head sizes: attention costs 2 (d_k + d_v) = 4 headDim
 *                FLOPs per head, query token and attended position (they differ in multi-head latent attention)
 * @param kvBytesPerTokenPerLayer K and V bytes one token adds to one layer's cache
 * @param nExpert routed experts per block (0: a dense model); a routed tensor ({@link #isRoutedExperts})
 *                holds one equal slab per expert
 * @param nExpertUsed experts each token's router picks
 */
public record ModelGeometry(List<TensorRef> tensors, int nLayer, int nHead, int headDim, long kvBytesPerTokenPerLayer, int nExpert,
        int nExpertUsed) {

    public ModelGeometry {
        tensors = List.copyOf(tensors);
        if (nLayer <= 0) {
            throw new IllegalArgumentException("nLayer must be >= 1, got " + nLayer);
        }
        if (nExpert < 0 || nExpert > 64) {
            throw new IllegalArgumentException("nExpert must be in [0, 64], got " + nExpert);
        }
        if (nExpert > 0 && (nExpertUsed < 1 || nExpertUsed > nExpert)) {
            throw new IllegalArgumentException("nExpertUsed must be in [1, nExpert], got " + nExpertUsed);
        }
    }

    public ModelGeometry(List<TensorRef> tensors, int nLayer, int nHead, int headDim, long kvBytesPerTokenPerLayer) {
        this(tensors, nLayer, nHead, headDim, kvBytesPerTokenPerLayer, 0, 0);
    }

    /** GGUF's routed expert tensors (ffn_gate_exps, ffn_up_exps, ffn_down_exps): read only for routed experts. */
    public static boolean isRoutedExperts(String tensorName) {
        return tensorName.contains("_exps.");
    }

    /** Layer indices per step: the blocks, then the pseudo-layer of everything outside them. */
    public int layerIndices() {
        return nLayer + 1;
    }
}
