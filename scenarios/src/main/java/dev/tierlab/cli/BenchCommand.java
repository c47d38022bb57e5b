package dev.tierlab.cli;

import dev.tierlab.inference.bench.BenchConfig;
import dev.tierlab.inference.bench.BenchEngine;
import dev.tierlab.inference.bench.BenchResult;
import dev.tierlab.inference.bench.BenchRunner;
import dev.tierlab.inference.bench.BenchTest;
import dev.tierlab.inference.bench.HookMode;
import dev.tierlab.inference.bench.NamedHook;
import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.service.TierService;
import dev.tierlab.emulator.timeline.ModelGeometry;
import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.emulator.timeline.TimelineConfig;
import dev.tierlab.emulator.timeline.Trace;
import dev.tierlab.run.ResultRow;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.java.CopyMode;
import dev.tierlab.run.AtomicFiles;
import dev.tierlab.scenario.Calibration;
import dev.tierlab.scenario.EmulationSpecs;
import dev.tierlab.scenario.LocatedYaml;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.reports.stats.SampleStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "A llama-bench compatible baseline: pp and tg throughput, latency.",
            "Prompt processing (pp) and generation (tg) throughput,",
            "with llama-bench's test semantics and column names plus tierlab's (TTFT, inter-token",
            "latency percentiles, 95%% CI, coefficient of variation, llama.cpp's own counters)."})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF model (default: the embedded synthesized '" + EmbeddedModels.DEFAULT_PRESET + "' preset).")
    Path model;

    @Option(names = {"-e", "--engine"}, split = ",", paramLabel = "NAME", defaultValue = "llama.cpp",
            description = {"Engine: llama.cpp, java or cuda[:host-mapped|:pcie-pinned] (default: ${DEFAULT-VALUE}). Several engines alternate repetitions",
                "on the same model, and each one's median t/s is printed against the first's."})
    List<String> engines;

    @Option(names = {"-p", "--n-prompt"}, split = ",", paramLabel = "N", defaultValue = "512",
            description = "Prompt lengths (default: ${DEFAULT-VALUE}); 0 skips pp tests.")
    List<Integer> nPrompt;

    @Option(names = {"-n", "--n-gen"}, split = ",", paramLabel = "N", defaultValue = "128",
            description = "Generation lengths (default: ${DEFAULT-VALUE}); 0 skips tg tests.")
    List<Integer> nGen;

    @Option(names = {"-pg"}, split = ",", paramLabel = "P,N", arity = "1",
            description = "A prompt+generation test of P prompt then N generated tokens (repeatable).")
    List<String> promptGen = new ArrayList<>();

    @Option(names = {"-d", "--n-depth"}, split = ",", paramLabel = "N", defaultValue = "0",
            description = "KV-cache depth filled before each test (default: ${DEFAULT-VALUE}).")
    List<Integer> nDepth;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", defaultValue = "5",
            description = "Timed repetitions per test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1",
            description = "Untimed warmup runs per test, reported in the 'warmup' column (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "N",
            description = "Thread counts (default: all cores).")
    List<Integer> threads;

    @Option(names = {"-b", "--batch-size"}, paramLabel = "N", defaultValue = "2048", description = "n_batch (default: ${DEFAULT-VALUE}).")
    int nBatch;

    @Option(names = {"-ub", "--ubatch-size"}, paramLabel = "N", defaultValue = "512", description = "n_ubatch (default: ${DEFAULT-VALUE}).")
    int nUbatch;

    @Option(names = {"-ctk", "--cache-type-k"}, paramLabel = "TYPE", defaultValue = "f16",
            description = "KV cache type: f16, f32, bf16, q8_0, q4_0 (default: ${DEFAULT-VALUE}).")
    String kvType;

    @Option(names = "--hook", split = ",", paramLabel = "MODE", defaultValue = "none",
            description = {"Layer hook: none, noop (observes every layer), idle (installed, observes none).",
                "Several modes alternate repetitions, and each hook's cost is printed against none."})
    List<String> hooks;

    @Option(names = "--emulate", split = ",", paramLabel = "FILE",
            description = {"Emulation files (reference, tiers, placement, access, prefetch, cache, seed as in a scenario); each",
                "runs as a hook named after its file, alternating with the --hook modes, and adds reference or tier columns."})
    List<Path> emulate = new ArrayList<>();

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "trace",
            description = {"How --emulate files emulate. trace (default): the engine runs with an observing hook and each file's",
                "reference timeline is computed on the test's trace (ref_tg_tps, ref_tg_ratio against all-on-top-tier). inject",
                "(waits) and copy (bytes move; -e java): the first emulator, at host scale, with no reference; for paired",
                "reference-scale measurement use tierlab run with mode: inject."})
    String mode;

    /** Per --emulate file in trace mode: its timeline configuration. */
    private final Map<String, TimelineConfig> traced = new java.util.LinkedHashMap<>();

    /** Per trace-mode file: its observing hooks, one per test and thread count, in the order the results come. */
    private final Map<String, List<dev.tierlab.inference.emulation.TimelineHook>> tracers = new java.util.LinkedHashMap<>();

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random token ids (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "md",
            description = "Output format: csv, json, jsonl, md (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Also write the rows as JSON to FILE (atomically), whatever -o prints.")
    Path save;

    @Option(names = "--fork", description = {"Run the benchmark in a worker JVM (same java, class path and flags): a native crash",
        "there is reported in one line with its signal and crash report, and does not take this JVM down."})
    boolean fork;

    @Override
    public Integer call() throws IOException {
        if (fork) {
            // the whole command line as given, from this verb on, without --fork
            List<String> given = spec.commandLine().getParseResult().originalArgs();
            List<String> args = new ArrayList<>(given.subList(Math.max(0, given.indexOf(spec.name())), given.size()));
            args.removeIf(a -> a.equals("--fork"));
            return dev.tierlab.run.worker.ForkedCli.run(args, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        BenchFormat format = BenchFormat.parse(output);
        BenchConfig config = config();
        PrintWriter err = spec.commandLine().getErr();
        Path file = model != null ? model : EmbeddedModels.resolve(EmbeddedModels.DEFAULT_PRESET, EmbeddedModels.DEFAULT_QUANT, err);
        if (!Files.isRegularFile(file)) {
            throw new UserError("-m: no such model file " + file);
        }
        List<String> names = engines.stream().map(String::trim).distinct().toList();
        List<BenchEngine> loaded = new ArrayList<>();
        try {
            for (String name : names) {
                loaded.add(new BenchEngine(name, Engines.byName(name).load(file)));
            }
            config = withEmulation(config, loaded, err);
            BenchConfig cfg = config;
            int total = config.tests().size() * config.threads().size() * loaded.size() * config.hooks().size()
                    * (config.repetitions() + config.warmupRuns());
            int[] done = {0};
            boolean terminal = System.console() != null;
            BenchRunner runner = new BenchRunner(loaded, cfg, (test, t, hook, rep, isWarmup) -> {
                done[0]++;
                String what = "bench: %s t=%d hook=%s".formatted(test.label(), t, hook);
                if (terminal) {
                    err.printf("\r%-40s %s %d/%d  [%d/%d]   ", what, isWarmup ? "warmup" : "rep",
                            rep + 1, isWarmup ? cfg.warmupRuns() : cfg.repetitions(), done[0], total);
                } else if (rep == 0 && (isWarmup || cfg.warmupRuns() == 0)) {
                    err.printf("%s [%d/%d]%n", what, done[0], total);
                }
                err.flush();
            });
            List<BenchResult> results = runner.run();
            if (terminal) {
                err.println();
            }
            Map<String, LoadedModel> models = new HashMap<>();
            loaded.forEach(e -> models.put(e.name(), e.model()));
            List<Map<String, Object>> rows = results.stream()
                    .map(r -> BenchRow.of(r, file, models.get(r.engine()), cfg)).toList();
            Map<String, java.util.Iterator<dev.tierlab.inference.emulation.TimelineHook>> nextTrace = new HashMap<>();
            tracers.forEach((name, hooks) -> nextTrace.put(name, hooks.iterator()));
            for (int i = 0; i < rows.size(); i++) {
                BenchResult r = results.get(i);
                if (nextTrace.containsKey(r.hook())) {
                    addReference(rows.get(i), r, nextTrace.get(r.hook()).next(), models.get(r.engine()), cfg);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            format.write(rows, out);
            out.flush();
            if (save != null) {
                AtomicFiles.write(save, BenchFormat.jsonArray(rows));
            }
            if (cfg.hooks().size() > 1) {
                printHookOverhead(results, err);
            }
            if (loaded.size() > 1) {
                printEngineRatios(results, names.getFirst(), err);
            }
        } finally {
            for (BenchEngine e : loaded) {
                e.model().close();
            }
        }
        return TierlabCli.EXIT_OK;
    }

    /** Adds one emulated hook per --emulate file, each with a fresh emulator per test. */
    private BenchConfig withEmulation(BenchConfig c, List<BenchEngine> engines, PrintWriter err) {
        if (emulate.isEmpty()) {
            return c;
        }
        LoadedModel loaded = engines.getFirst().model();
        List<NamedHook> hooks = new ArrayList<>(c.hooks());
        Injector injector = Injector.calibrated();
        Double base = null;
        for (Path f : emulate) {
            Map<String, Object> block = LocatedYaml.read(f).root();
            try {
                if (mode.equals("trace")) {
                    TimelineConfig tc = EmulationSpecs.timeline(block, f.toAbsolutePath().getParent(), Double.NaN);
                    if (tc.reference().isHost()) {
                        throw new UserError(f + ": reference: host is realised on this host, not computed: use tierlab run with "
                                + "mode: inject, or name an accelerator reference (h200, ...) for --mode trace");
                    }
                    String name = f.getFileName().toString().replaceFirst("\\.ya?ml$", "");
                    traced.put(name, tc);
                    // An observing hook that records the steps the engine ran and, for a mixture-of-experts
                    // model, the experts each step routed to: the trace the reference timeline is computed on.
                    List<dev.tierlab.inference.emulation.TimelineHook> made = tracers.computeIfAbsent(name, k -> new ArrayList<>());
                    int nLayer = loaded.info().nLayer();
                    hooks.add(new NamedHook(name, () -> {
                        var h = new dev.tierlab.inference.emulation.TimelineHook(nLayer, 64, injector);
                        made.add(h);
                        return h;
                    }));
                    continue;
                }
                Map<String, TierSpec> tiers = EmulationSpecs.tiers(block.get("tiers"), f.toAbsolutePath().getParent());
                if (base == null && EmulationSpecs.needsBase(tiers)) {
                    base = Calibration.baseBandwidth(CalibrateCommand.defaultFile(), err);
                }
                Emulator.Config ec = EmulationSpecs.config(block, f.toAbsolutePath().getParent(), base == null ? 1 : base);
                String name = f.getFileName().toString().replaceFirst("\\.ya?ml$", "");
                switch (mode) {
                    case "inject" -> hooks.add(new NamedHook(name, () -> EmulatedHook.create(ec, loaded.info(), c.kvType(), injector, false)));
                    case "copy" -> {
                        if (engines.size() != 1 || !engines.getFirst().name().equals("java")) {
                            throw new UserError("--mode copy moves the engine's own weight bytes: use it with -e java");
                        }
                        hooks.add(new NamedHook(name, () -> CopyMode.create(ec, loaded, injector)));
                    }
                    default -> throw new UserError("--mode: unknown mode '" + mode + "'; use trace, inject or copy");
                }
            } catch (SpecException e) {
                throw new UserError(f + ": " + e.getMessage());
            }
        }
        return new BenchConfig(c.tests(), c.repetitions(), c.warmupRuns(), c.threads(), c.nBatch(), c.nUbatch(), c.kvType(),
                hooks, c.seed());
    }

    /**
     * For a trace-mode --emulate file's row: the reference timeline of the test's trace with the file's
     * tiers, against the same trace with every byte on the reference's top tier.
     */
    private void addReference(Map<String, Object> row, BenchResult r, dev.tierlab.inference.emulation.TimelineHook hook, LoadedModel model,
            BenchConfig cfg) {
        TimelineConfig tc = traced.get(r.hook());
        BenchTest t = r.test();
        ModelGeometry geo = EmulatedHook.geometry(model.info(), cfg.kvType());
        try {
            ReferenceTimeline.checkRequestBudget(tc, geo, Math.max(1, Math.min(t.nPrompt(), cfg.nUbatch())), t.contextNeeded(),
                    TierService.MAX_REQUESTS_PER_BATCH);
            ReferenceTimeline.checkCapacityWithBaseline(tc, geo, t.contextNeeded());
        } catch (SpecException e) {
            throw new UserError("--emulate " + r.hook() + ": " + e.getMessage());
        }
        // The trace of the row's last repetition, as its hook recorded it (with routing for MoE models).
        Trace trace = new Trace(hook.tokens(), hook.past(), hook.expertMasks());
        ReferenceTimeline.Result ref = ReferenceTimeline.compute(tc.withSeed(cfg.seed()), geo, trace, null, true);
        ReferenceTimeline.Result base = ReferenceTimeline.compute(TimelineConfig.allOnTop(tc.reference(), tc.tiers()), geo, trace, null, false);
        row.put("mode", "trace");
        ResultRow.addReference(row, ref, base, t, tc.reference());
        row.put("tiers", ResultRow.tierColumns(ref));
    }

    BenchConfig config() {
        GgmlType kv = GgmlType.byName(kvType).orElseThrow(() -> new UserError("-ctk: unknown KV cache type '" + kvType + "'"));
        List<BenchTest> tests = new ArrayList<>();
        for (int d : nDepth) {
            requireNonNegative("-d", d);
            for (int p : nPrompt) {
                requireNonNegative("-p", p);
                if (p > 0) {
                    tests.add(new BenchTest(p, 0, d));
                }
            }
            for (int n : nGen) {
                requireNonNegative("-n", n);
                if (n > 0) {
                    tests.add(new BenchTest(0, n, d));
                }
            }
            for (int i = 0; i + 1 < promptGen.size(); i += 2) {
                tests.add(new BenchTest(parse("-pg", promptGen.get(i)), parse("-pg", promptGen.get(i + 1)), d));
            }
        }
        if (promptGen.size() % 2 != 0) {
            throw new UserError("-pg takes pairs P,N (e.g. -pg 512,128)");
        }
        if (tests.isEmpty()) {
            throw new UserError("no tests: give -p, -n or -pg with a positive count");
        }
        List<Integer> t = threads == null ? List.of(Runtime.getRuntime().availableProcessors()) : threads;
        t.forEach(x -> {
            if (x < 1) {
                throw new UserError("-t: thread counts must be positive, got " + x);
            }
        });
        if (repetitions < 1) {
            throw new UserError("-r: at least one repetition is needed, got " + repetitions);
        }
        if (warmup < 0) {
            throw new UserError("--warmup: must not be negative, got " + warmup);
        }
        List<NamedHook> modes = hooks.stream().map(h -> {
            try {
                return HookMode.valueOf(h.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserError("--hook: unknown mode '" + h + "'; use none, noop or idle");
            }
        }).distinct().map(HookMode::named).toList();
        return new BenchConfig(tests, repetitions, warmup, t, nBatch, nUbatch, kv, modes, seed);
    }

    private static void requireNonNegative(String flag, int v) {
        if (v < 0) {
            throw new UserError(flag + ": counts must not be negative, got " + v);
        }
    }

    private static int parse(String flag, String s) {
        try {
            int v = Integer.parseInt(s.trim());
            requireNonNegative(flag, v);
            return v;
        } catch (NumberFormatException e) {
            throw new UserError(flag + ": '" + s + "' is not a number");
        }
    }

    /** For each test, the hooked run's median t/s over the unhooked one's on the same engine: the layer hook's cost. */
    private static void printHookOverhead(List<BenchResult> results, PrintWriter err) {
        for (BenchResult hooked : results) {
            if (hooked.hook().equals("none")) {
                continue;
            }
            counterpart(results, hooked, hooked.engine(), "none").ifPresent(base -> err.printf(Locale.ROOT,
                    "hook overhead %-14s t=%d %s: median t/s %s/none = %.4f%n",
                    hooked.test().label(), hooked.threads(), hooked.engine(), hooked.hook(),
                    SampleStats.median(hooked.samplesTokensPerSecond()) / SampleStats.median(base.samplesTokensPerSecond())));
        }
    }

    /**
     * For each test and hook, every other engine's median t/s over the first engine's, and the
     * median of the per-round ratios (repetition r of one engine against repetition r of the
     * first, which ran next to it), less exposed to drift over the run.
     */
    private static void printEngineRatios(List<BenchResult> results, String first, PrintWriter err) {
        for (BenchResult other : results) {
            if (other.engine().equals(first)) {
                continue;
            }
            counterpart(results, other, first, other.hook()).ifPresent(base -> {
                double[] a = other.samplesTokensPerSecond();
                double[] b = base.samplesTokensPerSecond();
                double[] paired = new double[Math.min(a.length, b.length)];
                for (int i = 0; i < paired.length; i++) {
                    paired[i] = a[i] / b[i];
                }
                err.printf(Locale.ROOT, "engine ratio %-14s t=%d hook=%s: median t/s %s/%s = %.3f (median of paired ratios %.3f)%n",
                        other.test().label(), other.threads(), other.hook(), other.engine(), first,
                        SampleStats.median(a) / SampleStats.median(b), SampleStats.median(paired));
            });
        }
    }

    /** The result of the same test and thread count as {@code r}, run on {@code engine} with {@code hook}. */
    private static Optional<BenchResult> counterpart(List<BenchResult> results, BenchResult r, String engine, String hook) {
        return results.stream()
                .filter(o -> o.engine().equals(engine) && o.hook().equals(hook) && o.test().equals(r.test()) && o.threads() == r.threads())
                .findFirst();
    }
}
