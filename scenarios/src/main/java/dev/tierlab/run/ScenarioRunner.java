package dev.tierlab.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.calibrate.Doctor;
import dev.tierlab.emulator.calibrate.Sentinel;
import dev.tierlab.emulator.calibrate.SentinelSeries;
import dev.tierlab.emulator.inject.DilationWindow;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.inject.Realization;
import dev.tierlab.emulator.reference.ReferenceSystem;
import dev.tierlab.emulator.service.TierService;
import dev.tierlab.emulator.timeline.ModelGeometry;
import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.emulator.timeline.TimelineConfig;
import dev.tierlab.emulator.timeline.RoutingTrace;
import dev.tierlab.emulator.timeline.Trace;
import dev.tierlab.inference.bench.BenchSample;
import dev.tierlab.inference.bench.BenchTest;
import dev.tierlab.inference.bench.GcPauses;
import dev.tierlab.inference.engine.ColdStart;
import dev.tierlab.inference.bench.Repetition;
import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.emulation.TimelineHook;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.InferenceEngine;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.engine.PageCache;
import dev.tierlab.inference.java.CopyMode;
import dev.tierlab.inference.java.JavaEngine;
import dev.tierlab.inference.llamacpp.LlamaCpp;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.reports.stats.RatioEstimate;
import dev.tierlab.reports.stats.SampleStats;
import dev.tierlab.reports.stats.RatioSample;
import dev.tierlab.scenario.Calibration;
import dev.tierlab.scenario.EmulationSpecs;
import dev.tierlab.scenario.RoutingTraceFile;
import dev.tierlab.scenario.Scenario;
import dev.tierlab.scenario.ScenarioException;
import dev.tierlab.scenario.SweepPlanner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Runs a scenario under the measurement protocol and writes the run directory as it goes.
 *
 * <p>{@code inject} and {@code copy}: every emulated repeat is paired with a baseline repeat right
 * before or after it, under the same {@link TimelineHook} (same graph splits, threads, context),
 * pairs alternating B E, E B, ... so that drift cancels. The baseline records the trace and each
 * layer's hold-free compute; dilation comes from the recent baselines of the same configuration;
 * the emulated repeat's holds are computed from the reference timeline before it starts. A point runs
 * pairs until its degradation's CI meets the scenario's precision or its budget is spent.
 *
 * <p>{@code trace}: each workload runs baseline repeats only, and every point is evaluated on their
 * traces; its lines carry reference figures and no host figures.
 *
 * <p>Every finished repeat is a results line at once, so an interrupted run resumes where it stopped.
 */
public final class ScenarioRunner {

    /** Which part of the plan to run, where, and where progress goes. */
    public record Options(Path out, int shardIndex, int shardCount, Path cacheDir, Path calibrationFile, PrintWriter err,
            boolean terminal, Execution execution) {
        public Options(Path out, int shardIndex, int shardCount, Path cacheDir, Path calibrationFile, PrintWriter err,
                boolean terminal) {
            this(out, shardIndex, shardCount, cacheDir, calibrationFile, err, terminal, Execution.inProcess());
        }
    }

    /** Told before each repeat (and each configuration's warm-up) what is about to run, as a results line's header. */
    public interface RepeatListener {
        void starting(Map<String, Object> header, int resultsSoFar);
    }

    public record Outcome(Path dir, int pointsRun, int repeatsRun, int repeatsKept) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    // One line per value: readers of a run's scenario.yaml (the report's question) take a key's line as its value.
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.SPLIT_LINES).build());
    /** Baselines whose dilation an emulated repeat uses: the most recent few, so it follows drift. */
    private static final int DILATION_WINDOW = 3;

    private final Scenario scenario;
    /** The recorded routing the timeline charges instead of the engine's (model.routing_trace); null: the engine's. */
    private RoutingTrace routing;
    private final Path scenarioFile;
    private final Options options;
    private Injector injector;
    private LoadedModel loaded;
    private Path modelFile;
    private Sentinel sentinel;
    private final SentinelSeries sentinels = new SentinelSeries();
    private Doctor.Verdict verdict;
    private double hostDram = Double.NaN;
    private RunDirectory dir;
    private Instant start;
    private Map<String, Object> model;
    private int ran;
    private int total;
    private long runStart;
    private RepeatListener listener = (header, resultsSoFar) -> { };

    public ScenarioRunner(Scenario scenario, Path scenarioFile, Options options) {
        this.scenario = scenario;
        this.scenarioFile = scenarioFile;
        this.options = options;
    }

    /** The emulated points this shard runs, in plan order. Shards split by workload, so each holds its own baselines. */
    public List<SweepPlanner.Point> points() {
        List<SweepPlanner.Point> all = SweepPlanner.plan(scenario).stream().filter(p -> !p.baseline()).toList();
        List<String> workloads = all.stream().map(ScenarioRunner::workloadKey).distinct().toList();
        return all.stream().filter(p -> workloads.indexOf(workloadKey(p)) % options.shardCount() == options.shardIndex()).toList();
    }

    static String workloadKey(SweepPlanner.Point p) {
        return p.id().substring(0, p.id().indexOf('/'));
    }

    /** The pairs (or trace repeats) the plan asks for at least, for progress and dry runs. */
    public int plannedRepeats(List<SweepPlanner.Point> points) {
        return scenario.mode().equals("trace") ? points.size() * scenario.repeats() : points.size() * scenario.repeats() * 2;
    }

    /** Set by a worker: it reports each repeat before it starts, so that its supervisor can name the one it died in. */
    public void onRepeatStart(RepeatListener l) {
        this.listener = l;
    }

    public Outcome run() throws IOException {
        if (dev.tierlab.scenario.ServingSpec.isServing(scenario.root().get("workload"))) {
            return new ServingRunner(scenario, scenarioFile, options).run();
        }
        List<SweepPlanner.Point> points = points();
        if (options.execution().mode() == Execution.Mode.WORKER) {
            return runAsWorker(points.stream().filter(p -> workloadKey(p).equals(options.execution().workload())).toList());
        }
        dir = RunDirectory.open(options.out());
        int kept = dir.resultCount();
        start = Instant.now();
        String hash = scenarioHash();
        checkResume(hash);
        if (!Files.exists(dir.path().resolve("scenario.yaml"))) {
            dir.write("scenario.yaml", "# tierlab: the scenario as run, from " + scenarioFile.toAbsolutePath() + "\n"
                    + YAML.writeValueAsString(resolvedRoot()));
        }
        PrintWriter err = options.err();
        boolean hostReference = points.stream().anyMatch(p -> EmulationSpecs.isHostReference(p.scenario().emulation()));
        if (hostReference || points.stream().anyMatch(p -> p.scenario().mode().equals("copy"))) {
            hostDram = Calibration.baseBandwidth(options.calibrationFile(), err);
        }
        verdict = Doctor.check();
        err.println("tierlab doctor: " + verdict.summary());
        verdict.lines().stream().filter(l -> !l.startsWith("ok")).forEach(l -> err.println("  " + l));
        dir.write("env.json", JSON.writeValueAsString(env(hash, null)));
        modelFile = ModelFiles.resolve(scenario.model(), options.cacheDir(), (done, t, x) -> { });
        if (options.execution().mode() == Execution.Mode.SUPERVISED) {
            var supervisor = new dev.tierlab.run.worker.WorkerSupervisor(scenarioFile, options, hostDram);
            Thread onInterrupt = new Thread(supervisor::interrupted);
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            dev.tierlab.run.worker.WorkerSupervisor.Tally tally;
            try {
                Map<String, List<SweepPlanner.Point>> byWorkload = new LinkedHashMap<>();
                points.forEach(p -> byWorkload.computeIfAbsent(workloadKey(p), k -> new ArrayList<>()).add(p));
                tally = supervisor.run(byWorkload);
            } finally {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            }
            dir = RunDirectory.open(dir.path());
            dir.lines().stream().filter(n -> n.path("sentinel_gbps").isNumber())
                    .forEach(n -> sentinels.record(n.get("sentinel_gbps").asDouble()));
            dir.write("env.json", JSON.writeValueAsString(env(hash, Instant.now())));
            return new Outcome(dir.path(), tally.pointsRun(), tally.repeatsRun(), kept);
        }
        Thread onInterrupt = new Thread(() -> err.printf("%ntierlab: interrupted; %d finished repeats are kept in %s "
                + "(continue with: tierlab run %s --resume %s)%n", dir.resultCount(), dir.path(), scenarioFile, dir.path()));
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        int pointsRun;
        try {
            pointsRun = measure(points);
        } finally {
            Runtime.getRuntime().removeShutdownHook(onInterrupt);
        }
        if (options.terminal()) {
            err.println();
        }
        dir.write("env.json", JSON.writeValueAsString(env(hash, Instant.now())));
        return new Outcome(dir.path(), pointsRun, ran, kept);
    }

    /**
     * Inside a worker JVM: measure one workload into the run directory that the supervisor prepared
     * (scenario.yaml, env.json and the model are its). The sentinel series starts from the run's earlier
     * readings, so a fresh worker judges disturbance against the same history as one long process.
     */
    private Outcome runAsWorker(List<SweepPlanner.Point> points) throws IOException {
        dir = RunDirectory.open(options.out());
        dir.stampRows("worker", options.execution().workerId());
        int kept = dir.resultCount();
        start = Instant.now();
        dir.lines().stream().filter(n -> n.path("sentinel_gbps").isNumber())
                .forEach(n -> sentinels.record(n.get("sentinel_gbps").asDouble()));
        hostDram = options.execution().hostDramBytesPerSecond();
        modelFile = ModelFiles.resolve(scenario.model(), options.cacheDir(), (done, t, x) -> { });
        int pointsRun = measure(points);
        if (options.terminal()) {
            options.err().println();
        }
        return new Outcome(dir.path(), pointsRun, ran, kept);
    }

    /** Loads the engine and measures the points, workload by workload, appending each finished repeat. */
    private int measure(List<SweepPlanner.Point> points) throws IOException {
        injector = Injector.spinning();
        sentinel = new Sentinel();
        total = plannedRepeats(points);
        runStart = System.nanoTime();
        loaded = engine().load(modelFile);
        int pointsRun = 0;
        try {
            model = new LinkedHashMap<>();
            model.put("name", scenario.model().label());
            model.put("sha256", ModelFiles.sha256(modelFile, options.cacheDir()));
            model.put("params", loaded.parameterCount());
            model.put("bytes", loaded.sizeBytes());
            model.put("file", modelFile.toString());
            if (loaded.info().isMoe()) {
                model.put("active_params", loaded.info().activeParams());
                model.put("experts", loaded.info().nExpert());
                model.put("experts_used", loaded.info().nExpertUsed());
                model.put("routing", loaded.info().routing());
                if (scenario.model().routingTrace() != null) {
                    Path file = scenario.model().routingTrace();
                    routing = RoutingTraceFile.read(file, "model.routing_trace");
                    model.put("routing", "recorded trace %s (%s; %d positions), replayed by token position in place of the engine's routing"
                            .formatted(file.getFileName(), routing.source(), routing.positions()));
                    model.put("routing_trace_sha256", ModelFiles.sha256(file, options.cacheDir()));
                }
            }
            Map<String, List<SweepPlanner.Point>> byWorkload = new LinkedHashMap<>();
            points.forEach(p -> byWorkload.computeIfAbsent(workloadKey(p), k -> new ArrayList<>()).add(p));
            for (List<SweepPlanner.Point> group : byWorkload.values()) {
                Map<String, Baselines> primed = warmUp(loaded, group);
                if (scenario.mode().equals("trace")) {
                    runTrace(loaded, group);
                } else {
                    runPaired(loaded, group, primed);
                }
                pointsRun += group.size();
            }
        } finally {
            loaded.close();
            sentinel.close();
        }
        return pointsRun;
    }

    // ---------------------------------------------------------------- paired inject / copy

    /** Per configuration (threads, KV type, context): its recent baselines. */
    private static final class Baselines {
        final DilationWindow dilation = new DilationWindow(DILATION_WINDOW);
        /** Per point, recent emulated repeats' cost of resuming after a hold, per held layer (the injector's calibration). */
        final Map<String, java.util.ArrayDeque<Double>> resume = new LinkedHashMap<>();

        double resumeOverhead(String pointId) {
            var r = resume.get(pointId);
            return r == null || r.isEmpty() ? 0 : SampleStats.median(r.stream().mapToDouble(Double::doubleValue).toArray());
        }
        Trace trace;
        long[][] hostNanos;
    }

    private void runPaired(LoadedModel loaded, List<SweepPlanner.Point> group, Map<String, Baselines> primed) throws IOException {
        Map<String, Baselines> byConfig = new LinkedHashMap<>(primed);
        Map<String, List<double[]>> pairs = new LinkedHashMap<>();
        int[] nextPair = new int[group.size()];
        for (int i = 0; i < group.size(); i++) {
            pairs.put(group.get(i).id(), existingPairs(group.get(i), nextPair, i));
        }
        while (true) {
            boolean any = false;
            for (int i = 0; i < group.size(); i++) {
                SweepPlanner.Point p = group.get(i);
                List<double[]> done = pairs.get(p.id());
                if (!needsMore(p, done, nextPair[i])) {
                    continue;
                }
                any = true;
                Baselines b = byConfig.computeIfAbsent(configKey(p), k -> new Baselines());
                // Each point alternates its own pairs (B E, E B, ...), so drift within a pair cancels over its pairs.
                boolean baselineFirst = b.dilation.isEmpty() || nextPair[i] % 2 == 0;
                double[] ratio = runPair(loaded, p, nextPair[i]++, baselineFirst, b);
                if (ratio != null) {
                    done.add(ratio);
                }
            }
            if (!any) {
                return;
            }
        }
    }

    /**
     * Whether a point needs another pair: fewer undisturbed pairs than the minimum, or short of its
     * precision, while it has run fewer than {@code max_repeats} pairs in all (disturbed ones count
     * against the budget, so a disturbed machine cannot keep a run going).
     */
    private boolean needsMore(SweepPlanner.Point p, List<double[]> done, int pairsRun) {
        Scenario ps = p.scenario();
        if (pairsRun >= Math.max(ps.maxRepeats(), ps.repeats() + (ps.precision() > 0 ? 0 : ps.repeats()))) {
            return false;
        }
        if (done.size() < ps.repeats()) {
            return true;
        }
        if (ps.precision() <= 0) {
            return false;
        }
        return halfWidth(done.stream().mapToDouble(r -> r[0]).toArray(), p.index()) > ps.precision();
    }

    /** Relative half-width of the 95% CI of the median per-pair ratio, as the report computes it (none below its minimum n). */
    static double halfWidth(double[] ratios, long seed) {
        RatioEstimate e = RatioSample.paired(ratios).estimate(seed);
        return e.enoughSamples() ? e.precision() : Double.POSITIVE_INFINITY;
    }

    /** Pairs this point already has (a resumed run): their tg ratios, and the next pair index. */
    private List<double[]> existingPairs(SweepPlanner.Point p, int[] nextPair, int i) {
        List<double[]> out = new ArrayList<>();
        Map<Integer, double[]> byPair = new LinkedHashMap<>();
        for (JsonNode n : dir.lines()) {
            if (!n.path("point_id").asText().equals(p.id()) || !n.has("pair")) {
                continue;
            }
            int pair = n.path("pair").asInt();
            nextPair[i] = Math.max(nextPair[i], pair + 1);
            double[] v = byPair.computeIfAbsent(pair, k -> new double[] {Double.NaN, Double.NaN});
            v[n.path("role").asText().equals("baseline") ? 0 : 1] = n.path("disturbed").asBoolean(false) ? Double.NaN
                    : n.path("measured_step_ms").asDouble(Double.NaN);
        }
        byPair.values().stream().filter(v -> v[0] > 0 && v[1] > 0).forEach(v -> out.add(new double[] {v[0] / v[1]}));
        return out;
    }

    /** Runs one pair; returns {tg ratio by median token time} or null when a side has no decode. */
    private double[] runPair(LoadedModel loaded, SweepPlanner.Point p, int pair, boolean baselineFirst, Baselines b)
            throws IOException {
        Scenario ps = p.scenario();
        BenchTest test = p.workload();
        ContextConfig cc = contextConfig(ps, test);
        ModelGeometry geo = EmulatedHook.geometry(loaded.info(), cc.kvType());
        TimelineConfig tc = EmulationSpecs.timeline(ps.emulation(), scenario.baseDir(), hostDram).withSeed(seed(p, pair));
        ReferenceTimeline.checkRequestBudget(tc, geo, Math.max(1, Math.min(test.nPrompt(), cc.nUbatch())), cc.nCtx(), TierService.MAX_REQUESTS_PER_BATCH);
        ReferenceTimeline.checkCapacityWithBaseline(tc, geo, cc.nCtx());
        TimelineConfig top = TimelineConfig.allOnTop(tc.reference(), tc.tiers());
        String order = baselineFirst ? "BE" : "EB";
        double baseStep = Double.NaN;
        double emuStep = Double.NaN;
        boolean disturbedPair = false;
        for (char role : order.toCharArray()) {
            progress(p, pair, role == 'B' ? "baseline" : "emulated");
            listener.starting(ResultRow.header(p, role == 'B' ? "baseline" : "emulated", pair, order, scenario.engine(),
                    role == 'B' ? "none" : ps.mode(), null, ps.threads(), scenario.workload().cold()), dir.resultCount());
            if (role == 'B') {
                TimelineHook hook = timelineHook(expectedSteps(test, cc));
                BenchSample s = repeat(cc, test, hook, p, pair, 'B');
                ReferenceTimeline.Result refBase = recordBaseline(b, hook, s, tc, geo);
                Map<String, Object> row = ResultRow.of(p, "baseline", pair, order, scenario.engine(), "none", model, ps.threads(),
                        scenario.workload().cold(), s);
                ResultRow.addReference(row, refBase, null, test, tc.reference());
                row.put("dilation_decode", ResultRow.round(DilationWindow.stepDilation(b.dilation.current(), refBase, DilationWindow.DECODE)));
                add(row, p, "baseline", s, null);
                baseStep = ResultRow.medianDecodeMs(s);
                disturbedPair |= Boolean.TRUE.equals(row.get("disturbed"));
            } else {
                Trace trace = b.trace != null ? b.trace : Trace.of(test.nDepth(), test.nPrompt(), test.nGen(), cc.nUbatch());
                ReferenceTimeline.HostCompute hc = hostCompute(tc.reference(), b);
                ReferenceTimeline.Result ref = ReferenceTimeline.compute(tc, geo, trace, hc, true);
                ReferenceTimeline.Result refBase = ReferenceTimeline.compute(top, geo, trace, hc, false);
                BenchSample s;
                Map<String, Object> extra = new LinkedHashMap<>();
                if (ps.mode().equals("copy")) {
                    Emulator.Config old = EmulationSpecs.config(ps.emulation(), scenario.baseDir(), hostDram);
                    CopyMode copy = CopyMode.create(old, loaded, injector);
                    s = repeat(cc, test, copy, p, pair, 'E');
                } else {
                    double[][] d = tc.reference().isHost() ? ones(geo.layerIndices()) : b.dilation.current();
                    double resume = b.resumeOverhead(p.id());
                    Realization real = Realization.of(ref, d, resume);
                    TimelineHook hook = timelineHook(trace.steps());
                    hook.plan(trace.nTokens(), trace.nPast(), real.holdNanos());
                    s = repeat(cc, test, hook, p, pair, 'E');
                    if (hook.unplannedSteps() == 0 && b.hostNanos != null) {
                        // Against the latest baseline's own steps, with the layers the uncorrected plan holds.
                        double measured = Realization.resumeOverheadNanos(hostLayerNanos(hook, s, trace),
                                Realization.of(ref, d).holdNanos(), trace, b.hostNanos);
                        var recent = b.resume.computeIfAbsent(p.id(), k -> new java.util.ArrayDeque<>());
                        recent.addLast(measured);
                        while (recent.size() > DILATION_WINDOW) {
                            recent.removeFirst();
                        }
                    }
                    extra.put("resume_overhead_us", ResultRow.round(resume / 1e3));
                    extra.put("fidelity", ResultRow.round(fidelity(s, trace, real)));
                    extra.put("modelled_step_ms", ResultRow.round(SampleStats.median(decodeOf(real.modelledHostNanos(), trace)) / 1e6));
                    extra.put("unplanned_steps", hook.unplannedSteps());
                    extra.put("held_ms", ResultRow.round(hook.heldNanos() / 1e6));
                    extra.put("clamped_steps", real.clampedSteps());
                    extra.put("dilation_decode", ResultRow.round(DilationWindow.stepDilation(d, refBase, DilationWindow.DECODE)));
                }
                Map<String, Object> row = ResultRow.of(p, "emulated", pair, order, scenario.engine(), ps.mode(), model, ps.threads(),
                        scenario.workload().cold(), s);
                ResultRow.addReference(row, ref, refBase, test, tc.reference());
                row.putAll(extra);
                row.put("tiers", ResultRow.tierColumns(ref));
                add(row, p, "emulated", s, ref);
                emuStep = ResultRow.medianDecodeMs(s);
                disturbedPair |= Boolean.TRUE.equals(row.get("disturbed"));
            }
        }
        // The report leaves disturbed pairs out of its curves; so does the stopping rule.
        return baseStep > 0 && emuStep > 0 && !disturbedPair ? new double[] {baseStep / emuStep} : null;
    }

    // ---------------------------------------------------------------- trace mode

    private void runTrace(LoadedModel loaded, List<SweepPlanner.Point> group) throws IOException {
        Map<String, List<SweepPlanner.Point>> byConfig = new LinkedHashMap<>();
        group.forEach(p -> byConfig.computeIfAbsent(configKey(p), k -> new ArrayList<>()).add(p));
        for (int r = 0; r < scenario.repeats(); r++) {
            for (List<SweepPlanner.Point> points : byConfig.values()) {
                SweepPlanner.Point first = points.getFirst();
                Scenario ps = first.scenario();
                BenchTest test = first.workload();
                ContextConfig cc = contextConfig(ps, test);
                ModelGeometry geo = EmulatedHook.geometry(loaded.info(), cc.kvType());
                String baselineId = workloadKey(first) + "/baseline" + (byConfig.size() > 1 ? "@" + configKey(first) : "");
                final int round = r;
                if (dir.failed(baselineId, "baseline", r)) {
                    continue; // its worker died in this round's traced repeat: the round is recorded as failed, not run again
                }
                boolean allDone = points.stream().allMatch(p -> dir.hasResult(p.id(), "emulated", round));
                if (allDone && dir.hasResult(baselineId, "baseline", r)) {
                    continue;
                }
                progress(first, r, "trace");
                Map<String, Object> pending = ResultRow.header(first, "baseline", r, "B", scenario.engine(), "none", null, ps.threads(),
                        scenario.workload().cold());
                pending.put("point_id", baselineId);
                pending.put("point", Map.of());
                listener.starting(pending, dir.resultCount());
                TimelineHook hook = timelineHook(expectedSteps(test, cc));
                BenchSample s = repeat(cc, test, hook, first, r, 'B');
                Baselines b = new Baselines();
                TimelineConfig tc0 = EmulationSpecs.timeline(ps.emulation(), scenario.baseDir(), hostDram);
                ReferenceTimeline.Result base0 = recordBaseline(b, hook, s, tc0, geo);
                Trace trace = b.trace;
                Map<String, Object> brow = ResultRow.of(first, "baseline", r, "B", scenario.engine(), "none", model, ps.threads(),
                        scenario.workload().cold(), s);
                brow.put("point_id", baselineId);
                brow.put("point", Map.of());
                ResultRow.addReference(brow, base0, null, test, tc0.reference());
                brow.putAll(conditions);
                dir.addResult(brow);
                ran++;
                for (SweepPlanner.Point p : points) {
                    if (dir.hasResult(p.id(), "emulated", r)) {
                        continue;
                    }
                    TimelineConfig tc = EmulationSpecs.timeline(p.scenario().emulation(), scenario.baseDir(), hostDram).withSeed(seed(p, r));
                    ReferenceTimeline.checkRequestBudget(tc, geo, Math.max(1, Math.min(test.nPrompt(), cc.nUbatch())), cc.nCtx(),
                            TierService.MAX_REQUESTS_PER_BATCH);
                    ReferenceTimeline.checkCapacityWithBaseline(tc, geo, cc.nCtx());
                    ReferenceTimeline.HostCompute hc = hostCompute(tc.reference(), b);
                    ReferenceTimeline.Result ref = ReferenceTimeline.compute(tc, geo, trace, hc, true);
                    ReferenceTimeline.Result refBase = ReferenceTimeline.compute(TimelineConfig.allOnTop(tc.reference(), tc.tiers()), geo,
                            trace, hc, false);
                    Map<String, Object> row = ResultRow.traceOnly(p, r, scenario.engine(), model, p.scenario().threads(),
                            scenario.workload().cold());
                    row.put("baseline_id", baselineId);
                    ResultRow.addReference(row, ref, refBase, test, tc.reference());
                    row.put("tiers", ResultRow.tierColumns(ref));
                    dir.addResult(row);
                    writeTierHistograms(p, ref);
                    ran++;
                }
            }
        }
    }

    // ---------------------------------------------------------------- one repeat

    /** What happened around a repeat: the sentinel before it, GC pauses inside it, and for cold runs the load. */
    private Map<String, Object> conditions = new LinkedHashMap<>();

    private BenchSample repeat(ContextConfig cc, BenchTest test, LayerHook hook, SweepPlanner.Point p, int pair,
            char role) {
        conditions = new LinkedHashMap<>();
        Sentinel.Probe probe = sentinel.probe();
        SentinelSeries.Reading reading = sentinels.record(probe.gigabytesPerSecond());
        conditions.put("sentinel_gbps", ResultRow.round(reading.gbps()));
        conditions.put("disturbed", reading.disturbed());
        ColdStart.Load cold = null;
        if (scenario.workload().cold()) {
            loaded.close();
            cold = ColdStart.load(engine(), modelFile);
            loaded = cold.model();
            conditions.put("load_ms", ResultRow.round(cold.loadMillis()));
            conditions.put("resident_before_load", ResultRow.round(cold.beforeLoad().fraction()));
        }
        try (EngineContext ctx = loaded.newContext(cc, hook); GcPauses gc = new GcPauses()) {
            if (cold != null) {
                PageCache.Eviction ev = PageCache.evict(modelFile);
                conditions.put("resident_before_first_token", ResultRow.round(ev.after().fraction()));
                if (!ev.cold()) {
                    conditions.put("cold_problem", ev.problem());
                }
            }
            // Both sides of a pair draw the same tokens: the pair differs only in the emulation.
            SplittableRandom rnd = new SplittableRandom(scenario.seed() * 1_000_003L + p.index() * 7919L + pair);
            gc.start();
            BenchSample s = Repetition.run(ctx, test, rnd, hook);
            GcPauses.Summary g = gc.stop();
            Map<String, Object> gcm = new LinkedHashMap<>();
            gcm.put("count", g.pauses());
            gcm.put("total_ms", g.totalMillis());
            gcm.put("max_ms", g.maxMillis());
            conditions.put("gc", gcm);
            return s;
        }
    }

    /**
     * Warms each configuration up (JIT, page cache, OpenMP threads) with the same hook. With two or more
     * warm-up repetitions, the last also primes the configuration's dilation window, so the first
     * emulated repeat does not rest on a single baseline (the first repetition of a JVM is never used:
     * it pays for compilation and page faults).
     */
    private Map<String, Baselines> warmUp(LoadedModel loaded, List<SweepPlanner.Point> group) {
        Map<String, Baselines> primed = new LinkedHashMap<>();
        if (scenario.warmup() == 0) {
            return primed;
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (SweepPlanner.Point p : group) {
            if (!seen.add(configKey(p))) {
                continue;
            }
            ContextConfig cc = contextConfig(p.scenario(), p.workload());
            Map<String, Object> pending = ResultRow.header(p, "warmup", 0, "", scenario.engine(), "none", null, p.scenario().threads(),
                    scenario.workload().cold());
            pending.remove("pair");
            listener.starting(pending, dir.resultCount());
            TimelineHook hook = timelineHook(expectedSteps(p.workload(), cc));
            BenchSample last = null;
            try (EngineContext ctx = loaded.newContext(cc, hook)) {
                SplittableRandom rnd = new SplittableRandom(scenario.seed() ^ 0x5DEECE66DL);
                for (int w = 0; w < scenario.warmup(); w++) {
                    last = Repetition.run(ctx, p.workload(), rnd, hook);
                }
            }
            if (scenario.warmup() < 2) {
                continue;
            }
            Baselines b = new Baselines();
            recordBaseline(b, hook, last, EmulationSpecs.timeline(p.scenario().emulation(), scenario.baseDir(), hostDram),
                    EmulatedHook.geometry(loaded.info(), cc.kvType()));
            primed.put(configKey(p), b);
        }
        return primed;
    }

    private void add(Map<String, Object> row, SweepPlanner.Point p, String role, BenchSample s, ReferenceTimeline.Result ref)
            throws IOException {
        row.putAll(conditions);
        dir.addResult(row);
        String prefix = "histograms/%03d-".formatted(p.index());
        Histogram itl = ResultRow.itlHistogram(s);
        String name = prefix + (role.equals("baseline") ? "itl-baseline.hlog" : "itl.hlog");
        List<Histogram> l = dir.readHistogramLog(name);
        l.add(itl);
        dir.writeHistogramLog(name, l, start.toEpochMilli());
        if (ref != null) {
            writeTierHistograms(p, ref);
        }
        ran++;
    }

    private void writeTierHistograms(SweepPlanner.Point p, ReferenceTimeline.Result ref) throws IOException {
        String prefix = "histograms/%03d-".formatted(p.index());
        for (ReferenceTimeline.TierStats t : ref.tiers().values()) {
            if (t.requests() == 0 || t.deviceLatency() == null) {
                continue;
            }
            for (var e : Map.of("device", t.deviceLatency(), "queue", t.queueing(), "transfer", t.transfer()).entrySet()) {
                String name = prefix + "tier-" + t.tier() + "-" + e.getKey() + ".hlog";
                List<Histogram> l = dir.readHistogramLog(name);
                l.add(e.getValue());
                dir.writeHistogramLog(name, l, start.toEpochMilli());
            }
        }
    }

    /** The harness hook of a repeat, charging the scenario's recorded routing when it names one. */
    private TimelineHook timelineHook(int expectedSteps) {
        TimelineHook hook = new TimelineHook(loaded.info().nLayer(), expectedSteps, injector);
        hook.replayRouting(routing);
        return hook;
    }

    /**
     * Takes a baseline repetition into its configuration's window: its trace, each layer's hold-free
     * host time, and its dilation against the reference's all-on-HBM timeline of the same trace, which
     * is returned.
     */
    private static ReferenceTimeline.Result recordBaseline(Baselines b, TimelineHook hook, BenchSample s, TimelineConfig tc,
            ModelGeometry geo) {
        b.trace = new Trace(hook.tokens(), hook.past(), hook.expertMasks());
        b.hostNanos = hostLayerNanos(hook, s, b.trace);
        ReferenceTimeline.Result base = ReferenceTimeline.compute(TimelineConfig.allOnTop(tc.reference(), tc.tiers()), geo, b.trace,
                hostCompute(tc.reference(), b), false);
        b.dilation.add(b.hostNanos, b.trace, base);
        return base;
    }

    /**
     * Each layer's hold-free host time per step, with the time llama_decode spends outside the hook's
     * boundaries (graph build, sampling, the copy of logits) charged to the output pseudo-layer, so that
     * the layers sum to the step the repetition measured.
     */
    static long[][] hostLayerNanos(TimelineHook hook, BenchSample s, Trace trace) {
        long[][] host = hook.hostLayerNanos();
        long[] hookSteps = hook.hookStepNanos();
        int steps = trace.steps();
        int li = host.length == 0 ? 0 : host[0].length;
        int decode = s.decodeNanos().length;
        for (int i = 0; i < decode && steps - decode + i >= 0; i++) {
            int k = steps - decode + i;
            host[k][li - 1] += Math.max(0, s.decodeNanos()[i] - hookSteps[k]);
        }
        long prefillHook = 0;
        int lastPrefill = -1;
        for (int k = 0; k < steps - decode; k++) {
            prefillHook += hookSteps[k];
            lastPrefill = k;
        }
        if (lastPrefill >= 0) {
            host[lastPrefill][li - 1] += Math.max(0, s.prefillNanos() - prefillHook);
        }
        return host;
    }

    /** For {@code reference: host}: each layer's compute is the host's, the median over the last baseline's steps of its phase. */
    private static ReferenceTimeline.HostCompute hostCompute(ReferenceSystem ref, Baselines b) {
        if (!ref.isHost()) {
            return null;
        }
        if (b.hostNanos == null || b.trace == null) {
            throw new IllegalStateException("reference: host needs a baseline before its first emulated repeat");
        }
        int li = b.hostNanos[0].length;
        double[][] med = new double[2][li];
        for (int phase = 0; phase < 2; phase++) {
            for (int l = 0; l < li; l++) {
                final int fl = l;
                final boolean dec = phase == 1;
                double[] v = java.util.stream.IntStream.range(0, b.trace.steps()).filter(k -> b.trace.isDecode(k) == dec)
                        .mapToDouble(k -> b.hostNanos[k][fl]).toArray();
                med[phase][l] = v.length == 0 ? 0 : SampleStats.median(v);
            }
        }
        Trace t = b.trace;
        return (k, l) -> med[k < t.steps() && t.isDecode(k) ? 1 : 0][l];
    }

    private static double[][] ones(int li) {
        double[][] d = new double[2][li];
        for (double[] row : d) {
            Arrays.fill(row, 1);
        }
        return d;
    }

    /** Median over decode steps of measured host step / (D x reference step). */
    static double fidelity(BenchSample s, Trace trace, Realization real) {
        int decode = s.decodeNanos().length;
        int steps = trace.steps();
        if (decode == 0 || decode > steps) {
            return Double.NaN;
        }
        double[] r = new double[decode];
        for (int i = 0; i < decode; i++) {
            r[i] = s.decodeNanos()[i] / real.modelledHostNanos()[steps - decode + i];
        }
        return SampleStats.median(r);
    }

    private static double[] decodeOf(double[] perStep, Trace trace) {
        return java.util.stream.IntStream.range(0, trace.steps()).filter(trace::isDecode).mapToDouble(k -> perStep[k]).toArray();
    }

    private static int expectedSteps(BenchTest t, ContextConfig cc) {
        return (t.nPrompt() + cc.nUbatch() - 1) / cc.nUbatch() + t.nGen() + 1;
    }

    private long seed(SweepPlanner.Point p, int pair) {
        return scenario.seed() * 1_000_003L + p.index() * 1009L + pair;
    }

    private static String configKey(SweepPlanner.Point p) {
        Scenario s = p.scenario();
        return "t" + s.threads() + "-kv" + s.kvType().ggmlName() + "-c" + s.context();
    }

    private ContextConfig contextConfig(Scenario ps, BenchTest t) {
        int ctx = ps.context() != null ? ps.context() : Math.max(64, t.contextNeeded() + 8);
        if (ctx < t.contextNeeded()) {
            throw new ScenarioException(List.of("context: %d is smaller than the point's %d tokens; raise context or shorten the workload"
                    .formatted(ctx, t.contextNeeded())));
        }
        return new ContextConfig(ctx, 2048, 512, ps.threads(), ps.threads(), ps.kvType());
    }

    private InferenceEngine engine() {
        if (dev.tierlab.inference.cuda.CudaPlacement.isCuda(scenario.engine())) {
            return new dev.tierlab.inference.cuda.CudaEngine(dev.tierlab.inference.cuda.CudaPlacement.parse(scenario.engine()));
        }
        return scenario.engine().equals("java") ? new JavaEngine() : new LlamaCppEngine();
    }

    private void progress(SweepPlanner.Point p, int pair, String what) {
        String eta = "";
        if (ran > 0) {
            double perRepeat = (System.nanoTime() - runStart) / 1e9 / ran;
            long left = Math.max(0, Math.round(perRepeat * (total - ran)));
            eta = String.format(Locale.ROOT, ", ETA >= %d:%02d", left / 60, left % 60);
        }
        String line = String.format(Locale.ROOT, "point %d %s - pair %d %s [%d/%d+%s]", p.index(), p.label(), pair + 1, what,
                ran + 1, total, eta);
        if (options.terminal()) {
            options.err().printf("\r%-110s", line);
        } else {
            options.err().println(line);
        }
        options.err().flush();
    }

    // ---------------------------------------------------------------- run directory metadata

    private String scenarioHash() throws IOException {
        try {
            byte[] text = YAML.writeValueAsString(resolvedRoot()).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A resumed run must be the same scenario: its results would otherwise mix two experiments. */
    private void checkResume(String hash) throws IOException {
        Path env = dir.path().resolve("env.json");
        if (dir.resultCount() == 0 || !Files.exists(env)) {
            return;
        }
        JsonNode old = JSON.readTree(env.toFile());
        String was = old.path("scenario_sha256").asText("");
        if (!was.isEmpty() && !was.equals(hash)) {
            throw new ScenarioException(List.of(("%s: the scenario changed since %s was run (sha256 %s, now %s); "
                    + "resume it with the scenario it ran (%s/scenario.yaml), or start a new run with --out")
                    .formatted(scenarioFile, dir.path(), was.substring(0, 12), hash.substring(0, 12), dir.path())));
        }
    }

    private Map<String, Object> resolvedRoot() {
        Map<String, Object> root = new LinkedHashMap<>(scenario.root());
        root.putIfAbsent("engine", scenario.engine());
        root.putIfAbsent("mode", scenario.mode());
        root.putIfAbsent("threads", scenario.threads());
        root.putIfAbsent("kv_type", scenario.kvType().ggmlName());
        root.putIfAbsent("repeats", scenario.repeats());
        root.putIfAbsent("max_repeats", scenario.maxRepeats());
        root.putIfAbsent("warmup", scenario.warmup());
        root.putIfAbsent("seed", scenario.seed());
        root.putIfAbsent("reference", EmulationSpecs.timeline(scenario.emulation(), scenario.baseDir(), 1e9).reference().name());
        String q = question();
        if (q != null) {
            root.putIfAbsent("question", q);
        }
        return root;
    }

    /** The scenario's question: its {@code question} key, else its leading comment block. */
    private String question() {
        if (scenario.question() != null) {
            return scenario.question();
        }
        try {
            StringBuilder sb = new StringBuilder();
            for (String line : Files.readAllLines(scenarioFile)) {
                if (!line.startsWith("#")) {
                    break;
                }
                String t = line.substring(1).trim();
                if (sb.length() > 0 && t.isEmpty()) {
                    break;
                }
                sb.append(sb.length() == 0 ? "" : " ").append(t);
            }
            String q = sb.toString().replaceFirst("^Question:\\s*", "");
            int dot = q.indexOf('?');
            return q.isEmpty() ? null : dot > 0 ? q.substring(0, dot + 1) : q;
        } catch (IOException e) {
            return null;
        }
    }

    private Map<String, Object> env(String hash, Instant end) {
        Map<String, Object> env = new LinkedHashMap<>(EnvInfo.machine());
        env.put("scenario", scenario.name());
        env.put("scenario_file", scenarioFile.toAbsolutePath().toString());
        env.put("scenario_sha256", hash);
        env.put("seed", scenario.seed());
        env.put("shard", (options.shardIndex() + 1) + "/" + options.shardCount());
        env.put("engine", scenario.engine());
        env.put("mode", scenario.mode());
        env.put("execution", options.execution().mode() == Execution.Mode.IN_PROCESS ? "in-process"
                : "worker JVMs, one per workload; a repeat past %d s is killed; crash reports in workers/"
                        .formatted(options.execution().repeatTimeoutSeconds()));
        env.put("reference", EmulationSpecs.timeline(scenario.emulation(), scenario.baseDir(), Double.isNaN(hostDram) ? 1e9 : hostDram)
                .reference().describe());
        Map<String, Object> bases = new LinkedHashMap<>();
        bases.put("host_dram_bytes_per_second", Double.isNaN(hostDram) ? null : hostDram);
        bases.put("host_dram_used_for", Double.isNaN(hostDram) ? "nothing: tiers are read at the reference's scale"
                : "reference: host (its top tier) and copy mode's relative bandwidths");
        env.put("bases", bases);
        Map<String, Object> placement = new LinkedHashMap<>();
        placement.put("pinning", "none: engine threads are placed by the kernel");
        for (String k : List.of("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS", "OMP_PROC_BIND")) {
            placement.put(k, System.getenv(k));
        }
        env.put("threads_placement", placement);
        env.put("llama_cpp_build", LlamaCpp.BUILD_NUMBER + " (" + LlamaCpp.BUILD_COMMIT + ")");
        env.put("llama_cpp_system_info", LlamaCpp.get().systemInfo());
        env.put("cache_mode", scenario.workload().cold()
                ? "cold: before each repeat the model is freed, its pages dropped (posix_fadvise DONTNEED) and it is loaded again "
                        + "(load_ms); after the context is made its mapped pages are paged out (MADV_PAGEOUT), and mincore says how many "
                        + "were still resident before the first token (resident_before_first_token)"
                : "warm: the model stays loaded; each repeat gets a fresh context");
        env.put("calibration", Calibration.load(options.calibrationFile()).orElse(null));
        if (sentinels.size() > 0) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("median_gbps", ResultRow.round(sentinels.median()));
            sm.put("p10_gbps", ResultRow.round(sentinels.p10()));
            sm.put("spread", ResultRow.round(sentinels.spread()));
            sm.put("n", sentinels.size());
            sm.put("disturbed_below", "%.0f%% under the median of the earlier probes".formatted(sentinels.threshold() * 100));
            env.put("sentinel", sm);
        }
        if (verdict != null) {
            env.put("doctor", Map.of("trustworthy", verdict.trustworthy(), "summary", verdict.summary(), "checks", verdict.lines()));
        }
        env.put("load_average_start", EnvInfo.loadAverage());
        env.put("start_time", start.toString());
        if (end != null) {
            env.put("end_time", end.toString());
            env.put("load_average_end", EnvInfo.loadAverage());
        }
        return env;
    }
}
