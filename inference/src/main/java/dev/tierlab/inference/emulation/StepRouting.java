package dev.tierlab.inference.emulation;

import dev.tierlab.inference.engine.LayerHook;
import java.util.Arrays;

/**
 * The routed experts of the engine's last micro-batch, per block as a bit mask (bit e: expert e), the
 * union over its tokens: what a serving step's reference timeline charges. Watches routing only.
 */
public final class StepRouting implements LayerHook.RoutingObserver {

    private final long[] masks;
    private boolean routed;

    public StepRouting(int nLayer) {
        this.masks = new long[nLayer];
    }

    @Override
    public void microBatchStart(int nTokens, int nPast) {
        Arrays.fill(masks, 0);
        routed = false;
    }

    @Override
    public void expertsRouted(int layer, int nTokens, int k, int[] experts) {
        if (layer < 0 || layer >= masks.length) {
            return;
        }
        masks[layer] |= dev.tierlab.emulator.timeline.RoutingTrace.maskOf(experts, nTokens * k);
        routed = true;
    }

    /** The last micro-batch's experts per block; null when it routed nothing (a dense model). */
    public long[] lastStep() {
        return routed ? masks.clone() : null;
    }
}
