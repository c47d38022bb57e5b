package dev.tierlab.inference.engine;

/**
 * Where an engine tells the outside world (the emulator) what it is about to compute. Calls come
 * synchronously on the engine's compute thread, so a hook that waits delays the layer that follows.
 * A micro-batch is one graph evaluation: a prefill ubatch or one decode token.
 */
public interface LayerHook {

    LayerHook NONE = new LayerHook() {
        @Override
        public void layerStart(int layer) {
        }
    };

    /** A micro-batch of {@code nTokens} tokens at positions {@code [nPast, nPast + nTokens)} begins. */
    default void microBatchStart(int nTokens, int nPast) {
    }

    /** Layer {@code layer} is about to read its weights and KV cache. */
    void layerStart(int layer);

    /** The micro-batch's graph has finished computing. */
    default void microBatchEnd() {
    }
}
