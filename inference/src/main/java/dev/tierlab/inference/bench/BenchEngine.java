package dev.tierlab.inference.bench;

import dev.tierlab.inference.engine.LoadedModel;

/** An engine a bench runs its tests on, with the model it loaded; several engines alternate repetitions. */
public record BenchEngine(String name, LoadedModel model) {
}
