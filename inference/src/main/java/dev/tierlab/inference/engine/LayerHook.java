package dev.tierlab.inference.engine;

/**
 * Where an engine tells the outside world (the emulator) what it is about to compute. Calls come
 * synchronously on the engine's compute thread, so a hook that waits delays the layer that follows.
 * A micro-batch is one graph evaluation: a prefill ubatch or one decode token. Layers are numbered
 * 0..n_layer-1; layer n_layer stands for the output head (final norm and output projection).
 */
public interface LayerHook {

    /** No hook: the engine runs exactly as it would without tierlab. */
    LayerHook NONE = new LayerHook() {
        @Override
        public void layerStart(int layer) {
        }

        @Override
        public boolean observes(int layer) {
            return false;
        }
    };

    /**
     * Whether {@link #layerStart} must run exactly when {@code layer} starts. Engines may have to
     * interrupt their compute graph to honour that (llama.cpp splits it), so a hook returns false
     * for layers where it has nothing to issue or wait for. Must be cheap and stable during a run.
     */
    default boolean observes(int layer) {
        return true;
    }

    /** A micro-batch of {@code nTokens} tokens at positions {@code [nPast, nPast + nTokens)} begins. */
    default void microBatchStart(int nTokens, int nPast) {
    }

    /** Layer {@code layer} (one that this hook observes) is about to read its weights and KV cache. */
    void layerStart(int layer);

    /** Whether {@link #expertsRouted} should be called (engines may split their graph to honour it). */
    default boolean observesRouting() {
        return false;
    }

    /**
     * Mixture-of-experts models: block {@code layer}'s router picked, for token t of the micro-batch,
     * the experts {@code experts[t * k .. t * k + k)}. The array is reused: copy what is kept.
     */
    default void expertsRouted(int layer, int nTokens, int k, int[] experts) {
    }

    /** The micro-batch's graph has finished computing. */
    default void microBatchEnd() {
    }

    /** The timed part of a repetition starts (after any untimed depth prefill). */
    default void beginMeasurement() {
    }

    /** The timed part of a repetition has ended. */
    default void endMeasurement() {
    }

    /** A hook that only watches routing: it observes no layer boundary, so the engine runs undisturbed. */
    interface RoutingObserver extends LayerHook {
        @Override
        default boolean observes(int layer) {
            return false;
        }

        @Override
        default void layerStart(int layer) {
        }

        @Override
        default boolean observesRouting() {
            return true;
        }

        @Override
        void expertsRouted(int layer, int nTokens, int k, int[] experts);
    }
}
