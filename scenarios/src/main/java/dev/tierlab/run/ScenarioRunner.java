package dev.tierlab.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tierlab.emulator.ComputeProfile;
import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.inference.bench.BenchSample;
import dev.tierlab.inference.bench.BenchTest;
import dev.tierlab.inference.bench.Repetition;
import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.emulation.EmulationHook;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.engine.PageCache;
import dev.tierlab.inference.llamacpp.LlamaCpp;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.engine.InferenceEngine;
import dev.tierlab.inference.java.CopyMode;
import dev.tierlab.inference.java.JavaEngine;
import dev.tierlab.scenario.Calibration;
import dev.tierlab.scenario.EmulationSpecs;
import dev.tierlab.scenario.Scenario;
import dev.tierlab.scenario.SweepPlanner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Runs a scenario's points, repeat-major in plan order, and writes the run directory as it goes: each finished
 * repeat is a results line and an interval in the point's histogram logs, so an interrupted run
 * resumes where it stopped. Each repeat runs in a fresh context with a freshly seeded emulator, so a
 * repeat's injected latencies depend only on (scenario seed, point, repeat).
 */
public final class ScenarioRunner {

    /** Which part of the plan to run, where, and where progress goes. */
    public record Options(Path out, int shardIndex, int shardCount, Path cacheDir, Path calibrationFile, PrintWriter err,
            boolean terminal) {
    }

    public record Outcome(Path dir, int pointsRun, int repeatsRun, int repeatsKept) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Scenario scenario;
    private final Path scenarioFile;
    private final Options options;
    private final Map<String, ComputeProfile> profiles = new HashMap<>();
    private Injector injector;
    private int planSize;

    public ScenarioRunner(Scenario scenario, Path scenarioFile, Options options) {
        this.scenario = scenario;
        this.scenarioFile = scenarioFile;
        this.options = options;
    }

    /** The points this shard runs, in plan order. */
    public List<SweepPlanner.Point> points() {
        List<SweepPlanner.Point> all = SweepPlanner.plan(scenario);
        planSize = all.size();
        return all.stream().filter(p -> p.index() % options.shardCount() == options.shardIndex()).toList();
    }

    public Outcome run() throws IOException {
        List<SweepPlanner.Point> points = points();
        RunDirectory dir = RunDirectory.open(options.out());
        int kept = dir.resultCount();
        Instant start = Instant.now();
        if (!Files.exists(dir.path().resolve("scenario.yaml"))) {
            dir.write("scenario.yaml", "# tierlab: the scenario as run, from " + scenarioFile.toAbsolutePath() + "\n"
                    + YAML.writeValueAsString(resolvedRoot()));
        }
        Map<String, Object> env = env(start, null);
        dir.write("env.json", JSON.writeValueAsString(env));

        PrintWriter err = options.err();
        Path modelFile = ModelFiles.resolve(scenario.model(), options.cacheDir(), (done, total, t) -> { });
        Map<String, Object> model = new LinkedHashMap<>();
        double base = 1;
        boolean needsBase = points.stream().filter(p -> !p.baseline())
                .anyMatch(p -> EmulationSpecs.needsBase(EmulationSpecs.tiers(p.scenario().emulation().get("tiers"), scenario.baseDir())));
        if (needsBase) {
            base = Calibration.baseBandwidth(options.calibrationFile(), err);
        }
        injector = Injector.calibrated();

        int total = points.size() * scenario.repeats();
        int alreadyDone = (int) points.stream().mapToLong(p -> countDone(dir, p)).sum();
        int ran = 0;
        int pointsRun = 0;
        long runStart = System.nanoTime();
        Thread onInterrupt = new Thread(() -> err.printf("%ntierlab: interrupted; %d finished repeats are kept in %s "
                + "(continue with: tierlab run %s --resume %s)%n", dir.resultCount(), dir.path(), scenarioFile, dir.path()));
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        LoadedModel loaded = engine().load(modelFile);
        try {
            model.put("name", scenario.model().label());
            model.put("sha256", ModelFiles.sha256(modelFile, options.cacheDir()));
            model.put("params", loaded.parameterCount());
            model.put("bytes", loaded.sizeBytes());
            model.put("file", modelFile.toString());
            // Repeat-major order: repeat r of every point before repeat r+1 of any, so slow drift of
            // the machine spreads over all points instead of biasing the ones that ran last.
            Map<Integer, List<Histogram>> itlIntervals = new HashMap<>();
            Map<Integer, Map<String, List<Histogram>>> tierIntervals = new HashMap<>();
            java.util.Set<Integer> warmed = new java.util.HashSet<>();
            java.util.Set<Integer> counted = new java.util.HashSet<>();
            for (int r = 0; r < scenario.repeats(); r++) {
                for (SweepPlanner.Point point : points) {
                    if (dir.hasResult(point.id(), r)) {
                        continue;
                    }
                    if (counted.add(point.index())) {
                        pointsRun++;
                    }
                    Scenario ps = point.scenario();
                    ContextConfig cc = contextConfig(ps, point.workload());
                    Emulator.Config emulation = point.baseline() ? null : EmulationSpecs.config(ps.emulation(), scenario.baseDir(), base);
                    String prefix = "histograms/%03d-".formatted(point.index());
                    List<Histogram> itls = itlIntervals.computeIfAbsent(point.index(), k -> dir.readHistogramLog(prefix + "itl.hlog"));
                    Map<String, List<Histogram>> tiers = tierIntervals.computeIfAbsent(point.index(), k -> new LinkedHashMap<>());
                    if (!scenario.workload().cold() && warmed.add(point.index())) {
                        warmUp(loaded, cc, point, emulation == null ? null : withProfileSeed(emulation, -1));
                    }
                    progress(point, r, alreadyDone + ran, total, runStart, ran);
                    if (scenario.workload().cold()) {
                        loaded.close();
                        int rc = PageCache.drop(modelFile);
                        if (rc != 0) {
                            err.printf("tierlab: posix_fadvise(DONTNEED) on %s returned %d; the run is not cold%n", modelFile, rc);
                        }
                        loaded = engine().load(modelFile);
                    }
                    BenchSample s = runRepeat(loaded, cc, point, emulation, r);
                    Histogram itl = new Histogram(3);
                    for (long d : s.decodeNanos()) {
                        itl.recordValue(d);
                    }
                    dir.addResult(ResultRow.of(point, r, scenario.engine(), ps.mode(), model, ps.threads(), scenario.workload().cold(), s, itl));
                    itls.add(itl);
                    dir.writeHistogramLog(prefix + "itl.hlog", itls, start.toEpochMilli());
                    if (s.emulation() != null) {
                        for (var t : s.emulation().tiers()) {
                            if (t.requests() > 0) {
                                List<Histogram> l = tiers.computeIfAbsent(t.tier(),
                                        k -> dir.readHistogramLog(prefix + "tier-" + k + ".hlog"));
                                l.add(t.readLatency());
                                dir.writeHistogramLog(prefix + "tier-" + t.tier() + ".hlog", l, start.toEpochMilli());
                            }
                        }
                    }
                    ran++;
                }
            }
        } finally {
            loaded.close();
            Runtime.getRuntime().removeShutdownHook(onInterrupt);
        }
        if (options.terminal()) {
            err.println();
        }
        dir.write("env.json", JSON.writeValueAsString(env(start, Instant.now())));
        return new Outcome(dir.path(), pointsRun, ran, kept);
    }

    private static long countDone(RunDirectory dir, SweepPlanner.Point p) {
        int n = 0;
        for (int r = 0; r < p.scenario().repeats(); r++) {
            if (dir.hasResult(p.id(), r)) {
                n++;
            }
        }
        return n;
    }

    private ContextConfig contextConfig(Scenario ps, BenchTest t) {
        int ctx = ps.context() != null ? ps.context() : Math.max(64, t.contextNeeded() + 8);
        if (ctx < t.contextNeeded()) {
            throw new IllegalArgumentException("context %d is smaller than the point's %d tokens".formatted(ctx, t.contextNeeded()));
        }
        return new ContextConfig(ctx, 2048, 512, ps.threads(), ps.threads(), ps.kvType());
    }

    private InferenceEngine engine() {
        return scenario.engine().equals("java") ? new JavaEngine() : new LlamaCppEngine();
    }

    private LayerHook hook(LoadedModel loaded, Emulator.Config emulation, ContextConfig cc, BenchTest test, String mode) {
        if (emulation == null) {
            return LayerHook.NONE;
        }
        EmulationHook h = mode.equals("copy") ? CopyMode.create(emulation, loaded, injector)
                : EmulatedHook.create(emulation, loaded.info(), cc.kvType(), injector, false);
        ComputeProfile profile = test.nGen() > 0 ? profile(loaded, cc, test) : null;
        if (profile != null) {
            h.useComputeProfile(profile);
        }
        return h;
    }

    private void warmUp(LoadedModel loaded, ContextConfig cc, SweepPlanner.Point point, Emulator.Config emulation) {
        if (scenario.warmup() == 0) {
            return;
        }
        try (EngineContext ctx = loaded.newContext(cc, hook(loaded, emulation, cc, point.workload(), point.scenario().mode()))) {
            SplittableRandom rnd = new SplittableRandom(scenario.seed() ^ 0x5DEECE66DL);
            for (int w = 0; w < scenario.warmup(); w++) {
                Repetition.run(ctx, point.workload(), rnd, null);
            }
        }
    }

    private BenchSample runRepeat(LoadedModel loaded, ContextConfig cc, SweepPlanner.Point point, Emulator.Config emulation, int r) {
        Emulator.Config seeded = emulation == null ? null : withProfileSeed(emulation, point.index() * 1009L + r);
        LayerHook hook = hook(loaded, seeded, cc, point.workload(), point.scenario().mode());
        try (EngineContext ctx = loaded.newContext(cc, hook)) {
            SplittableRandom rnd = new SplittableRandom(scenario.seed() * 1_000_003L + point.index() * 7919L + r);
            return Repetition.run(ctx, point.workload(), rnd, hook);
        }
    }

    private static Emulator.Config withProfileSeed(Emulator.Config c, long salt) {
        return new Emulator.Config(c.tiers(), c.placement(), c.cache() == null ? null : c.cache().copy(), c.prefetchDepth(),
                c.seed() * 1_000_003L + salt, c.baseBytesPerSecond());
    }

    /** The unconstrained compute per layer for a workload, measured once per (workload, threads, KV type). */
    private ComputeProfile profile(LoadedModel loaded, ContextConfig cc, BenchTest test) {
        String key = test + "/" + cc.threads() + "/" + cc.kvType();
        return profiles.computeIfAbsent(key, k -> {
            EmulatedHook profiler = EmulatedHook.profiler(loaded.info(), cc.kvType());
            try (EngineContext ctx = loaded.newContext(cc, profiler)) {
                SplittableRandom rnd = new SplittableRandom(scenario.seed());
                Repetition.run(ctx, test, rnd, null);
                profiler.takeSummary();
                profiler.emulator().resetProfile();
                Repetition.run(ctx, test, rnd, null);
                Repetition.run(ctx, test, rnd, null);
            }
            return profiler.emulator().computeProfile();
        });
    }

    private void progress(SweepPlanner.Point p, int r, int done, int total, long runStart, int ranSoFar) {
        String eta = "";
        if (ranSoFar > 0) {
            double perRepeat = (System.nanoTime() - runStart) / 1e9 / ranSoFar;
            long left = Math.round(perRepeat * (total - done));
            eta = String.format(Locale.ROOT, ", ETA %d:%02d", left / 60, left % 60);
        }
        String line = String.format(Locale.ROOT, "point %d/%d %s - repeat %d/%d [%d/%d%s]", p.index() + 1,
                planSize, p.label(), r + 1, scenario.repeats(),
                done + 1, total, eta);
        if (options.terminal()) {
            options.err().printf("\r%-110s", line);
        } else {
            options.err().println(line);
        }
        options.err().flush();
    }

    private Map<String, Object> resolvedRoot() {
        Map<String, Object> root = new LinkedHashMap<>(scenario.root());
        root.putIfAbsent("engine", scenario.engine());
        root.putIfAbsent("threads", scenario.threads());
        root.putIfAbsent("kv_type", scenario.kvType().ggmlName());
        root.putIfAbsent("repeats", scenario.repeats());
        root.putIfAbsent("warmup", scenario.warmup());
        root.putIfAbsent("seed", scenario.seed());
        return root;
    }

    private Map<String, Object> env(Instant start, Instant end) {
        Map<String, Object> env = new LinkedHashMap<>(EnvInfo.machine());
        env.put("scenario", scenario.name());
        env.put("scenario_file", scenarioFile.toAbsolutePath().toString());
        env.put("seed", scenario.seed());
        env.put("shard", (options.shardIndex() + 1) + "/" + options.shardCount());
        env.put("engine", scenario.engine());
        env.put("llama_cpp_build", LlamaCpp.BUILD_NUMBER + " (" + LlamaCpp.BUILD_COMMIT + ")");
        env.put("llama_cpp_system_info", LlamaCpp.get().systemInfo());
        env.put("cache_mode", scenario.workload().cold()
                ? "cold: before each repeat the model is freed, its pages dropped with posix_fadvise(POSIX_FADV_DONTNEED), "
                        + "and it is loaded into a fresh context"
                : "warm: the model stays loaded; each repeat gets a fresh context");
        env.put("calibration", Calibration.load(options.calibrationFile()).orElse(null));
        env.put("load_average_start", EnvInfo.loadAverage());
        env.put("start_time", start.toString());
        if (end != null) {
            env.put("end_time", end.toString());
            env.put("load_average_end", EnvInfo.loadAverage());
        }
        return env;
    }
}
