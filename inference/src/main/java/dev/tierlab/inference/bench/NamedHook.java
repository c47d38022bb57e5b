package dev.tierlab.inference.bench;

import dev.tierlab.inference.engine.LayerHook;
import java.util.function.Supplier;

/** A layer hook a bench compares under a name; {@code factory} makes a fresh one per test. */
public record NamedHook(String name, Supplier<LayerHook> factory) {
}
