package dev.tierlab.inference.emulation;

import dev.tierlab.emulator.timeline.RoutingTrace;
import dev.tierlab.inference.engine.LayerHook;
import java.util.ArrayList;
import java.util.List;

/**
 * Records which experts each token position routed to in each block, as the engine reports them
 * (llama.cpp's {@code ffn_moe_topk}; the Java engine's router), into a {@link RoutingTrace}. It observes
 * no layer boundary, so the engine runs undisturbed. Feed tokens one per micro-batch: llama.cpp's last
 * block routes only the tokens that output logits, so a prefill batch leaves its other positions
 * without their last block's experts, and {@link #trace} refuses such a recording.
 */
public final class RoutingRecorder implements LayerHook.RoutingObserver {

    private final int nLayer;
    private final List<int[][]> byPosition = new ArrayList<>();
    private int stepPast;
    private int stepTokens;
    private int nExpertUsed;

    public RoutingRecorder(int nLayer) {
        this.nLayer = nLayer;
    }

    @Override
    public void microBatchStart(int nTokens, int nPast) {
        stepPast = nPast;
        stepTokens = nTokens;
    }

    @Override
    public void expertsRouted(int layer, int nTokens, int k, int[] experts) {
        if (layer < 0 || layer >= nLayer) {
            return;
        }
        nExpertUsed = k;
        int first = stepPast + stepTokens - nTokens;
        for (int i = 0; i < nTokens; i++) {
            int p = first + i;
            while (byPosition.size() <= p) {
                byPosition.add(new int[nLayer][]);
            }
            byPosition.get(p)[layer] = java.util.Arrays.copyOfRange(experts, i * k, i * k + k);
        }
    }

    /** Positions recorded so far. */
    public int positions() {
        return byPosition.size();
    }

    /**
     * The recording as a trace. A block that routed at no position is a dense block (no experts); every
     * other block must have its experts at every position.
     */
    public RoutingTrace trace(String source, int nExpert) {
        if (byPosition.isEmpty()) {
            throw new IllegalStateException("no routing was recorded: the model has no experts, or the engine does not report routing");
        }
        boolean[] routed = new boolean[nLayer];
        for (int[][] pos : byPosition) {
            for (int l = 0; l < nLayer; l++) {
                routed[l] |= pos[l] != null;
            }
        }
        int[][][] e = new int[byPosition.size()][][];
        for (int p = 0; p < e.length; p++) {
            e[p] = byPosition.get(p);
            for (int l = 0; l < nLayer; l++) {
                if (!routed[l]) {
                    e[p][l] = new int[0];
                } else if (e[p][l] == null) {
                    throw new IllegalStateException(("position %d has no experts for block %d, which routed at other positions: "
                            + "the engine skipped that block's router for this token").formatted(p, l));
                }
            }
        }
        return new RoutingTrace(source, nExpert, nExpertUsed, e);
    }
}
