package dev.tierlab.inference.bench;

/** Whether the engine runs with a layer hook installed: none, or one that does nothing (its overhead). */
public enum HookMode {
    NONE, NOOP
}
