package dev.tierlab.inference.bench;

import dev.tierlab.inference.emulation.EmulatedHook;
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
                    runOnce(contexts.get(h), test, random, hooks.get(h));
                }
            }
            profileEmulatedHooks(test, cc, hooks, random);
            for (int r = 0; r < config.repetitions(); r++) {
                for (String h : contexts.keySet()) {
                    listener.repetition(test, threads, h, r, false);
                    BenchSample s = runOnce(contexts.get(h), test, random, hooks.get(h));
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
        List<EmulatedHook> emulated = hooks.values().stream().filter(EmulatedHook.class::isInstance).map(EmulatedHook.class::cast).toList();
        if (emulated.isEmpty() || test.nGen() == 0) {
            return;
        }
        EmulatedHook profiler = EmulatedHook.profiler(model.info(), config.kvType());
        try (EngineContext ctx = model.newContext(cc, profiler)) {
            runOnce(ctx, test, random, null);
            profiler.takeSummary();
            runOnce(ctx, test, random, null);
        }
        ComputeProfile profile = profiler.emulator().computeProfile();
        emulated.forEach(e -> e.emulator().useComputeProfile(profile));
    }

    private BenchSample runOnce(EngineContext ctx, BenchTest test, SplittableRandom random, LayerHook hook) {
        ctx.clearKvCache();
        int nVocab = ctx.vocabularySize();
        int bos = ctx.bosToken();
        if (test.nDepth() > 0) {
            ctx.prefill(randomTokens(test.nDepth(), nVocab, bos, random));
        }
        if (hook instanceof EmulatedHook e) {
            e.takeSummary();
        }
        ctx.resetCounters();
        long[] decode = new long[test.nGen()];
        long t0 = System.nanoTime();
        long prefill = 0;
        if (test.nPrompt() > 0) {
            int[] prompt = randomTokens(test.nPrompt(), nVocab, test.nDepth() == 0 ? bos : -1, random);
            ctx.prefill(prompt);
            prefill = System.nanoTime() - t0;
        }
        int token = bos >= 0 && test.nPrompt() == 0 && test.nDepth() == 0 ? bos : random.nextInt(nVocab);
        for (int i = 0; i < test.nGen(); i++) {
            long s = System.nanoTime();
            ctx.decode(token);
            decode[i] = System.nanoTime() - s;
            token = random.nextInt(nVocab);
        }
        long total = System.nanoTime() - t0;
        long ttft = test.nPrompt() > 0 ? prefill : decode.length > 0 ? decode[0] : 0;
        return new BenchSample(total, prefill, decode, ttft, ctx.counters(),
                hook instanceof EmulatedHook e ? e.takeSummary() : null);
    }

    private static int[] randomTokens(int n, int nVocab, int first, SplittableRandom random) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(nVocab);
        }
        if (first >= 0 && n > 0) {
            t[0] = first;
        }
        return t;
    }
}
