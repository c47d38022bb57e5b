package dev.tierlab.inference.bench;

import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.emulation.EmulationHook;
import dev.tierlab.emulator.ComputeProfile;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Runs llama-bench's tests with llama-bench's semantics: a fresh context per test, random token ids
 * (BOS first when the vocabulary adds one), prompts in n_batch chunks, generation one token per
 * decode without sampling, the KV cache cleared before every repetition, warmup runs first.
 * Where several engines or hooks are compared, their repetitions alternate so drift hits all alike.
 * Emulated hooks get the test's unconstrained compute profile first, so every step also has a
 * modelled time.
 */
public final class BenchRunner {

    /** Told before each timed or warmup repetition, for progress display. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (test, threads, hook, rep, warmup) -> { };

        void repetition(BenchTest test, int threads, String hook, int repetition, boolean warmup);
    }

    private final List<BenchEngine> engines;
    private final BenchConfig config;
    private final Listener listener;

    public BenchRunner(List<BenchEngine> engines, BenchConfig config, Listener listener) {
        if (engines.isEmpty()) {
            throw new IllegalArgumentException("no engine to bench");
        }
        this.engines = List.copyOf(engines);
        this.config = config;
        this.listener = listener;
    }

    /** One engine, named after its model's backend. */
    public BenchRunner(String engine, LoadedModel model, BenchConfig config, Listener listener) {
        this(List.of(new BenchEngine(engine, model)), config, listener);
    }

    /** One run of a test: an engine with one of the hooks, labelled "hook" or "engine/hook" when several engines alternate. */
    private record Arm(BenchEngine engine, NamedHook hook, String label) {
    }

    public List<BenchResult> run() {
        List<BenchResult> results = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(config.seed());
        for (BenchTest test : config.tests()) {
            for (int threads : config.threads()) {
                results.addAll(runTest(test, threads, random));
            }
        }
        return results;
    }

    private List<BenchResult> runTest(BenchTest test, int threads, SplittableRandom random) {
        ContextConfig cc = new ContextConfig(Math.max(test.contextNeeded(), 16), config.nBatch(), config.nUbatch(),
                threads, threads, config.kvType());
        List<Arm> arms = new ArrayList<>();
        for (BenchEngine e : engines) {
            for (NamedHook h : config.hooks()) {
                arms.add(new Arm(e, h, engines.size() > 1 ? e.name() + "/" + h.name() : h.name()));
            }
        }
        Map<Arm, LayerHook> hooks = new LinkedHashMap<>();
        Map<Arm, EngineContext> contexts = new LinkedHashMap<>();
        Map<Arm, List<BenchSample>> samples = new LinkedHashMap<>();
        Map<Arm, Histogram> itl = new LinkedHashMap<>();
        Instant start = Instant.now();
        try {
            for (Arm a : arms) {
                LayerHook hook = a.hook().factory().get();
                hooks.put(a, hook);
                contexts.put(a, a.engine().model().newContext(cc, hook));
                samples.put(a, new ArrayList<>());
                itl.put(a, new Histogram(3));
            }
            for (int w = 0; w < config.warmupRuns(); w++) {
                for (Arm a : arms) {
                    listener.repetition(test, threads, a.label(), w, true);
                    Repetition.run(contexts.get(a), test, random, hooks.get(a));
                }
            }
            for (BenchEngine e : engines) {
                profileEmulatedHooks(e.model(), test, cc, arms.stream().filter(a -> a.engine() == e).map(hooks::get).toList(), random);
            }
            for (int r = 0; r < config.repetitions(); r++) {
                for (Arm a : arms) {
                    listener.repetition(test, threads, a.label(), r, false);
                    BenchSample s = Repetition.run(contexts.get(a), test, random, hooks.get(a));
                    samples.get(a).add(s);
                    for (long d : s.decodeNanos()) {
                        itl.get(a).recordValue(d);
                    }
                }
            }
        } finally {
            contexts.values().forEach(EngineContext::close);
        }
        List<BenchResult> out = new ArrayList<>();
        for (Arm a : arms) {
            out.add(new BenchResult(test, threads, a.engine().name(), a.hook().name(), config.warmupRuns(), start,
                    List.copyOf(samples.get(a)), itl.get(a)));
        }
        return out;
    }

    /** Measures the test's compute per layer with a timing-only hook and hands it to each emulator. */
    private void profileEmulatedHooks(LoadedModel model, BenchTest test, ContextConfig cc, List<LayerHook> hooks, SplittableRandom random) {
        List<EmulationHook> emulated = hooks.stream().filter(EmulationHook.class::isInstance).map(EmulationHook.class::cast).toList();
        if (emulated.isEmpty() || test.nGen() == 0) {
            return;
        }
        EmulatedHook profiler = EmulatedHook.profiler(model.info(), config.kvType());
        try (EngineContext ctx = model.newContext(cc, profiler)) {
            Repetition.run(ctx, test, random, null);
            profiler.takeSummary();
            profiler.emulator().resetProfile();
            Repetition.run(ctx, test, random, null);
        }
        ComputeProfile profile = profiler.emulator().computeProfile();
        emulated.forEach(e -> e.useComputeProfile(profile));
    }

}
