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
 * Where several hooks are compared, their repetitions alternate so drift hits all alike. Emulated
 * hooks get the test's unconstrained compute profile first, so every step also has a modelled time.
 */
public final class BenchRunner {

    /** Told before each timed or warmup repetition, for progress display. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (test, threads, hook, rep, warmup) -> { };

        void repetition(BenchTest test, int threads, String hook, int repetition, boolean warmup);
    }

    private final LoadedModel model;
    private final BenchConfig config;
    private final Listener listener;

    public BenchRunner(LoadedModel model, BenchConfig config, Listener listener) {
        this.model = model;
        this.config = config;
        this.listener = listener;
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
        Map<String, LayerHook> hooks = new LinkedHashMap<>();
        Map<String, EngineContext> contexts = new LinkedHashMap<>();
        Map<String, List<BenchSample>> samples = new LinkedHashMap<>();
        Map<String, Histogram> itl = new LinkedHashMap<>();
        Instant start = Instant.now();
        try {
            for (NamedHook h : config.hooks()) {
                LayerHook hook = h.factory().get();
                hooks.put(h.name(), hook);
                contexts.put(h.name(), model.newContext(cc, hook));
                samples.put(h.name(), new ArrayList<>());
                itl.put(h.name(), new Histogram(3));
            }
            for (int w = 0; w < config.warmupRuns(); w++) {
                for (String h : contexts.keySet()) {
                    listener.repetition(test, threads, h, w, true);
                    Repetition.run(contexts.get(h), test, random, hooks.get(h));
                }
            }
            profileEmulatedHooks(test, cc, hooks, random);
            for (int r = 0; r < config.repetitions(); r++) {
                for (String h : contexts.keySet()) {
                    listener.repetition(test, threads, h, r, false);
                    BenchSample s = Repetition.run(contexts.get(h), test, random, hooks.get(h));
                    samples.get(h).add(s);
                    for (long d : s.decodeNanos()) {
                        itl.get(h).recordValue(d);
                    }
                }
            }
        } finally {
            contexts.values().forEach(EngineContext::close);
        }
        List<BenchResult> out = new ArrayList<>();
        for (String h : contexts.keySet()) {
            out.add(new BenchResult(test, threads, h, config.warmupRuns(), start, List.copyOf(samples.get(h)), itl.get(h)));
        }
        return out;
    }

    /** Measures the test's compute per layer with a timing-only hook and hands it to each emulator. */
    private void profileEmulatedHooks(BenchTest test, ContextConfig cc, Map<String, LayerHook> hooks, SplittableRandom random) {
        List<EmulationHook> emulated = hooks.values().stream().filter(EmulationHook.class::isInstance).map(EmulationHook.class::cast).toList();
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
