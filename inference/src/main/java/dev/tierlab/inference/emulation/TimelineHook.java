package dev.tierlab.inference.emulation;

import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.inference.engine.LayerHook;
import java.util.Arrays;

/**
 * The one harness on both sides of a paired ratio. It observes every layer boundary, so baseline and
 * emulated repeats pay the same graph splits and callbacks, and it records the trace of the timed part
 * (each step's tokens and position) with each layer's hold-free host time. Given a plan (the holds of
 * an emulated repeat, computed before the repeat from the reference timeline), it holds the engine
 * before each layer for that layer's planned time.
 *
 * <p>The engine thread only reads clocks, stores into preallocated arrays and waits: no simulation,
 * no allocation (arrays grow only if a repeat runs more steps than announced).
 */
public final class TimelineHook implements LayerHook {

    private final int layers; // layer indices per step: blocks + the output head
    private final Injector injector;

    private int[] nTokens;
    private int[] nPast;
    private long[] hostNanos; // step-major, layers per step
    private long[] stepNanos;
    private int steps;
    private boolean recording;

    private long[][] planHolds;
    private int[] planTokens;
    private int[] planPast;
    private int unplannedSteps;
    private long heldNanos;

    // Mixture-of-experts models: per step and block, the union of the experts the router picked (bit e = expert e).
    private long[] expertMasks;
    private boolean routed;
    // A recorded routing to charge instead of the engine's own (null: the engine's).
    private dev.tierlab.emulator.timeline.RoutingTrace replay;

    private long stepStart;
    private long layerComputeStart;
    private int currentLayer = -1;
    private long[] currentHolds;

    /**
     * @param nLayer        blocks in the model (layer index nLayer is the output head)
     * @param expectedSteps steps the timed part will run (arrays are sized for it)
     */
    public TimelineHook(int nLayer, int expectedSteps, Injector injector) {
        this.layers = nLayer + 1;
        this.injector = injector;
        allocate(Math.max(1, expectedSteps));
    }

    private void allocate(int capacity) {
        nTokens = nTokens == null ? new int[capacity] : Arrays.copyOf(nTokens, capacity);
        nPast = nPast == null ? new int[capacity] : Arrays.copyOf(nPast, capacity);
        hostNanos = hostNanos == null ? new long[capacity * layers] : Arrays.copyOf(hostNanos, capacity * layers);
        stepNanos = stepNanos == null ? new long[capacity] : Arrays.copyOf(stepNanos, capacity);
        expertMasks = expertMasks == null ? new long[capacity * layers] : Arrays.copyOf(expertMasks, capacity * layers);
    }

    /**
     * Holds to apply in the next timed part: {@code holds[k][l]} before layer index l of step k, for a
     * step k whose shape matches {@code tokens[k]} and {@code past[k]}. Null: no holds (a baseline).
     */
    public void plan(int[] tokens, int[] past, long[][] holds) {
        this.planTokens = tokens;
        this.planPast = past;
        this.planHolds = holds;
    }

    @Override
    public boolean observes(int layer) {
        return true;
    }

    @Override
    public void beginMeasurement() {
        // Layer times accumulate per step: a hook reused across repetitions starts each one from zero.
        Arrays.fill(hostNanos, 0);
        Arrays.fill(expertMasks, 0);
        routed = false;
        steps = 0;
        unplannedSteps = 0;
        heldNanos = 0;
        recording = true;
    }

    @Override
    public void endMeasurement() {
        recording = false;
    }

    @Override
    public void microBatchStart(int tokens, int past) {
        if (!recording) {
            currentHolds = null;
            return;
        }
        if (steps == nTokens.length) {
            allocate(steps * 2);
        }
        nTokens[steps] = tokens;
        nPast[steps] = past;
        currentHolds = null;
        if (planHolds != null) {
            if (steps < planHolds.length && planTokens[steps] == tokens && planPast[steps] == past) {
                currentHolds = planHolds[steps];
            } else {
                unplannedSteps++;
            }
        }
        currentLayer = -1;
        stepStart = System.nanoTime();
        layerComputeStart = stepStart;
    }

    @Override
    public void layerStart(int layer) {
        if (!recording) {
            return;
        }
        long now = System.nanoTime();
        closeLayer(now);
        currentLayer = layer;
        long hold = currentHolds == null ? 0 : currentHolds[layer];
        if (hold > 0) {
            injector.waitUntil(now + hold);
            long after = System.nanoTime();
            heldNanos += after - now;
            now = after;
        }
        layerComputeStart = now;
    }

    /** Charges the time since the last boundary to the layer that ran; time before layer 0 goes to the output pseudo-layer. */
    private void closeLayer(long now) {
        int l = currentLayer < 0 ? layers - 1 : currentLayer;
        hostNanos[steps * layers + l] += now - layerComputeStart;
    }

    @Override
    public void microBatchEnd() {
        if (!recording) {
            return;
        }
        long now = System.nanoTime();
        closeLayer(now);
        stepNanos[steps] = now - stepStart;
        steps++;
    }

    /** Dense models have no top-k node, so observing routing costs them nothing. */
    @Override
    public boolean observesRouting() {
        return true;
    }

    /**
     * Charges {@code routing}'s experts instead of the engine's: each token the engine routes in a block
     * takes the experts the trace chose at the token's position. The engine still computes its own
     * experts (the same shapes, so the same time); only what the timeline charges changes. The trace
     * must cover every position the run reaches and the model's blocks ({@link
     * dev.tierlab.emulator.timeline.RoutingTrace#mismatch}); null goes back to the engine's routing.
     */
    public void replayRouting(dev.tierlab.emulator.timeline.RoutingTrace routing) {
        this.replay = routing;
    }

    /**
     * Prefill charges the union of the experts its tokens chose: the bits of every token are ORed. A
     * block that routes fewer tokens than the step holds (llama.cpp's last block computes only the
     * tokens that output logits) routes the step's last ones.
     */
    @Override
    public void expertsRouted(int layer, int tokens, int k, int[] experts) {
        if (!recording || layer < 0 || layer >= layers - 1) {
            return;
        }
        long m = expertMasks[steps * layers + layer];
        if (replay != null) {
            int first = nPast[steps] + nTokens[steps] - tokens;
            for (int i = 0; i < tokens; i++) {
                m |= replay.mask(first + i, layer);
            }
        } else {
            m |= dev.tierlab.emulator.timeline.RoutingTrace.maskOf(experts, tokens * k);
        }
        expertMasks[steps * layers + layer] = m;
        routed = true;
    }

    /** Per step, each block's routed experts as a bit mask; null when the model routed nothing (dense). */
    public long[][] expertMasks() {
        if (!routed) {
            return null;
        }
        long[][] out = new long[steps][];
        for (int k = 0; k < steps; k++) {
            out[k] = Arrays.copyOfRange(expertMasks, k * layers, (k + 1) * layers - 1);
        }
        return out;
    }

    /** Steps recorded in the last timed part. */
    public int steps() {
        return steps;
    }

    public int[] tokens() {
        return Arrays.copyOf(nTokens, steps);
    }

    public int[] past() {
        return Arrays.copyOf(nPast, steps);
    }

    /** Hold-free host time of each layer index, per step. */
    public long[][] hostLayerNanos() {
        long[][] out = new long[steps][];
        for (int k = 0; k < steps; k++) {
            out[k] = Arrays.copyOfRange(hostNanos, k * layers, (k + 1) * layers);
        }
        return out;
    }

    /** Host time of each step between the first boundary and the end of its graph. */
    public long[] hookStepNanos() {
        return Arrays.copyOf(stepNanos, steps);
    }

    /** Steps whose shape did not match the plan (they ran without holds). */
    public int unplannedSteps() {
        return unplannedSteps;
    }

    /** Total time spent holding in the last timed part. */
    public long heldNanos() {
        return heldNanos;
    }
}
