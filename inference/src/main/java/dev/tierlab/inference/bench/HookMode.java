package dev.tierlab.inference.bench;

import dev.tierlab.inference.engine.LayerHook;

/**
 * Which layer hook the engine runs with, to measure what the hook itself costs: none at all; one
 * that observes every layer boundary and does nothing there (the cost of full observation); one
 * that is installed but observes no layer (the cost when no tier needs a wait).
 */
public enum HookMode {
    NONE(LayerHook.NONE),
    NOOP(new LayerHook() {
        @Override
        public void layerStart(int layer) {
        }
    }),
    IDLE(new LayerHook() {
        @Override
        public void layerStart(int layer) {
        }

        @Override
        public boolean observes(int layer) {
            return false;
        }
    });

    private final LayerHook hook;

    HookMode(LayerHook hook) {
        this.hook = hook;
    }

    public LayerHook hook() {
        return hook;
    }

    public NamedHook named() {
        return new NamedHook(name().toLowerCase(java.util.Locale.ROOT), () -> hook);
    }
}
