package dev.tierlab.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.emulator.timeline.ModelGeometry;
import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.emulator.timeline.TimelineConfig;
import dev.tierlab.emulator.timeline.Trace;
import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.emulation.StepRouting;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.BatchContext;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.llamacpp.LlamaCpp;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.serving.Request;
import dev.tierlab.inference.serving.RequestRecord;
import dev.tierlab.reports.stats.TailPercentile;
import dev.tierlab.inference.serving.ServingClock;
import dev.tierlab.inference.serving.ServingLoop;
import dev.tierlab.inference.serving.ServingMetrics;
import dev.tierlab.inference.serving.StepCost;
import dev.tierlab.reports.QosReport;
import dev.tierlab.scenario.EmulationSpecs;
import dev.tierlab.scenario.Scenario;
import dev.tierlab.scenario.ServingSpec;
import dev.tierlab.scenario.SweepPlanner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a serving scenario ({@code workload: {kind: serving}}): for every tier configuration (the
 * all-on-top-tier baseline, then each sweep point) and every offered load, the seeded arrivals are
 * served by {@link ServingLoop} on real llama.cpp batches, and one line per (configuration, load)
 * goes to {@code serving.jsonl} with every latency quantity's percentiles and counts, goodput and
 * whether the SLO holds; the QoS report ({@link QosReport}) follows.
 *
 * <p>The clock is the reference timeline's: after each step, the step's batch shape (each
 * sequence's tokens and positions) is evaluated on the configuration's timeline, weights once per
 * step, KV per sequence, and the clock advances by that. Each step's timeline starts from idle tiers
 * (its seed is the scenario's and the step's): exact for {@code direct} access, whose reads finish
 * within the layer, which is why {@code prefetch} and {@code cache} (state across steps) are refused.
 * With {@code reference: host} the clock is the wall clock and tiers must be native; {@code warmup}
 * untimed rounds of a few requests come first.
 */
public final class ServingRunner {

    static final String RESULTS = "serving.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();

    private final Scenario scenario;
    private final Path scenarioFile;
    private final ScenarioRunner.Options options;

    public ServingRunner(Scenario scenario, Path scenarioFile, ScenarioRunner.Options options) {
        this.scenario = scenario;
        this.scenarioFile = scenarioFile;
        this.options = options;
    }

    /** Whether a run directory holds a serving run. */
    public static boolean isServingRun(Path dir) {
        return Files.exists(dir.resolve(RESULTS));
    }

    /** A tier configuration: its label and axis values, and its timeline (null: the wall clock). */
    private record Config(String label, Map<String, Object> axes, TimelineConfig timeline) {
    }

    private List<Config> configs(boolean host) {
        List<Config> out = new ArrayList<>();
        TimelineConfig first = EmulationSpecs.timeline(scenario.emulation(), scenario.baseDir(), 1e9);
        out.add(new Config("baseline (all on " + topTier(first) + ")", Map.of(), host ? null
                : TimelineConfig.allOnTop(first.reference(), first.tiers())));
        for (SweepPlanner.Point p : SweepPlanner.plan(scenario)) {
            if (p.baseline()) {
                continue;
            }
            TimelineConfig tc = EmulationSpecs.timeline(p.scenario().emulation(), scenario.baseDir(), 1e9);
            if (host) {
                if (tc.tiers().values().stream().anyMatch(t -> !t.isNative())) {
                    throw new SpecException("tiers", "serving with reference: host runs on the wall clock without holds, so lower tiers "
                            + "would change nothing; use a reference system (e.g. reference: h200)");
                }
            } else if (tc.prefetchDepth() > 0) {
                throw new SpecException("prefetch", "serving evaluates each step from idle tiers; staging across steps (prefetch) is not "
                        + "modelled there yet; use access: direct or prefetch: 0");
            } else if (tc.cache() != null) {
                throw new SpecException("cache", "serving evaluates each step from idle tiers; a top-tier cache across steps is not "
                        + "modelled there yet; drop cache");
            }
            String label = p.axes().isEmpty() ? "emulated"
                    : String.join(", ", p.axes().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            out.add(new Config(label, p.axes(), host ? null : tc));
        }
        return out;
    }

    private static String topTier(TimelineConfig tc) {
        return tc.tiers().values().stream().filter(TierSpec::isNative).map(TierSpec::name).findFirst().orElse("top tier");
    }

    public ScenarioRunner.Outcome run() throws IOException {
        if (!scenario.engine().equals("llama.cpp")) {
            throw new SpecException("engine", "serving runs llama.cpp's multi-sequence batches; use engine: llama.cpp");
        }
        ServingSpec spec = ServingSpec.of(scenario);
        boolean host = EmulationSpecs.isHostReference(scenario.emulation());
        List<Config> configs = configs(host);
        RunDirectory dir = RunDirectory.open(options.out());
        if (Files.exists(dir.path().resolve(RESULTS))) {
            throw new SpecException("workload", "serving runs do not resume yet: " + dir.path() + " already holds " + RESULTS
                    + "; run into a new directory");
        }
        Instant start = Instant.now();
        dir.write("scenario.yaml", "# tierlab: the scenario as run, from " + scenarioFile.toAbsolutePath() + "\n"
                + Files.readString(scenarioFile));
        Path modelFile = ModelFiles.resolve(scenario.model(), options.cacheDir(), (done, t, x) -> { });
        PrintWriter err = options.err();
        List<String> lines = new ArrayList<>();
        long wall0 = System.nanoTime();
        int maxSeq = spec.maxSequences();
        int budget = spec.tokenBudget();
        // The cache is shared by all sequences and b4916 needs contiguous free cells for a step: room for every
        // sequence at its longest, plus two steps' worth of slack against fragmentation.
        int nCtx = (maxSeq * spec.maxSequenceTokens() + 2 * budget + 255) / 256 * 256;
        ContextConfig cc = new ContextConfig(nCtx, budget, budget, scenario.threads(), scenario.threads(), scenario.kvType());
        try (LoadedModel model = new LlamaCppEngine().load(modelFile)) {
            ModelGeometry geo = EmulatedHook.geometry(model.info(), scenario.kvType());
            int vocab = model.info().nVocab();
            if (host && scenario.warmup() > 0) {
                // On the wall clock, the first steps would carry the JIT's and llama.cpp's first-graph costs: serve a few
                // requests untimed first (warmup times), all at once.
                List<Request> first = spec.requests(0, scenario.seed());
                List<Request> warm = first.subList(0, Math.min(2 * maxSeq, first.size())).stream()
                        .map(q -> new Request(q.id(), 0, q.promptTokens(), q.outputTokens())).toList();
                for (int w = 0; w < scenario.warmup(); w++) {
                    try (BatchContext b = model.newBatchContext(cc, maxSeq)) {
                        ServingLoop.run(warm, b, new ServingLoop.Config(maxSeq, budget), ServingClock.virtual(StepCost.HOST),
                                q -> prompt(q, vocab, scenario.seed()));
                    }
                }
            }
            int runs = configs.size() * spec.loads();
            int run = 0;
            for (Config c : configs) {
                for (int i = 0; i < spec.loads(); i++) {
                    run++;
                    List<Request> requests = spec.requests(i, scenario.seed());
                    err.printf("tierlab: serving %d/%d: %s at %.4g req/s (%d requests)%n", run, runs, c.label(),
                            spec.offeredRate(i, scenario.seed()), requests.size());
                    err.flush();
                    // A mixture-of-experts model's steps charge the experts they routed to (their union over the batch).
                    StepRouting routing = model.info().isMoe() && c.timeline() != null ? new StepRouting(model.info().nLayer()) : null;
                    StepCost cost = c.timeline() == null ? StepCost.HOST : referenceCost(c.timeline(), geo, scenario.seed(), routing);
                    ServingClock clock = c.timeline() == null ? ServingClock.wall() : ServingClock.virtual(cost);
                    long t0 = System.nanoTime();
                    ServingLoop.Result r;
                    try (BatchContext b = model.newBatchContext(cc, maxSeq, routing == null ? LayerHook.NONE : routing)) {
                        r = ServingLoop.run(requests, b, new ServingLoop.Config(maxSeq, budget), clock, q -> prompt(q, vocab, scenario.seed()));
                    }
                    long wall = System.nanoTime() - t0;
                    Map<String, Object> row = row(c, i, spec, r, wall);
                    lines.add(LINE.writeValueAsString(row));
                    dir.write(RESULTS, String.join("\n", lines) + "\n");
                }
            }
        }
        Map<String, Object> env = new LinkedHashMap<>(EnvInfo.machine());
        env.put("scenario", scenario.name());
        env.put("scenario_file", scenarioFile.toAbsolutePath().toString());
        env.put("seed", scenario.seed());
        env.put("engine", scenario.engine());
        env.put("workload", "serving");
        env.put("clock", host ? "wall (reference: host)" : "reference timeline, per step from idle tiers");
        env.put("reference", host ? "host (the wall clock)"
                : EmulationSpecs.timeline(scenario.emulation(), scenario.baseDir(), 1e9).reference().describe());
        env.put("context", Map.of("n_ctx", nCtx, "n_batch", budget, "n_seq_max", maxSeq, "threads", scenario.threads()));
        env.put("llama_cpp_build", LlamaCpp.BUILD_NUMBER + " (" + LlamaCpp.BUILD_COMMIT + ")");
        env.put("start", start.toString());
        env.put("end", Instant.now().toString());
        env.put("wall_s", ResultRow.round((System.nanoTime() - wall0) / 1e9));
        dir.write("env.json", JSON.writeValueAsString(env));
        return new ScenarioRunner.Outcome(dir.path(), configs.size() * spec.loads(), lines.size(), 0);
    }

    /** Each step on the configuration's reference timeline, from idle tiers, seeded by the scenario and the step. */
    static StepCost referenceCost(TimelineConfig tc, ModelGeometry geo, long seed, StepRouting routing) {
        return (step, nSeq, tokens, past, hostNanos) -> {
            Trace t = Trace.batched(new int[][] {Arrays.copyOf(tokens, nSeq)}, new int[][] {Arrays.copyOf(past, nSeq)});
            long[] experts = routing == null ? null : routing.lastStep();
            if (experts != null) {
                t = t.withExperts(new long[][] {experts});
            }
            var r = ReferenceTimeline.compute(tc.withSeed(seed * 1_000_003L + step), geo, t, null, false);
            return Math.round(r.stepNanos()[0]);
        };
    }

    /** A request's prompt: seeded token ids (the content does not change the schedule, only the tokens generated). */
    private static int[] prompt(Request r, int vocab, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 31 + r.id());
        int[] p = new int[r.promptTokens()];
        for (int i = 0; i < p.length; i++) {
            p[i] = rnd.nextInt(3, Math.max(4, vocab));
        }
        return p;
    }

    private Map<String, Object> row(Config c, int i, ServingSpec spec, ServingLoop.Result r, long wallNanos) {
        ServingMetrics m = ServingMetrics.of(r.requests(), spec.slo());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("config", c.label());
        row.put("axes", c.axes());
        row.put("baseline", c.axes().isEmpty() && c.label().startsWith("baseline"));
        row.put("load", i);
        row.put("offered_rps", ResultRow.round(spec.offeredRate(i, scenario.seed())));
        row.put("requests", r.requests().size());
        row.put("achieved_rps", ResultRow.round(m.throughput()));
        row.put("goodput_rps", ResultRow.round(m.goodput()));
        row.put("good_requests", m.goodRequests());
        row.put("meets_slo", m.meets(spec.slo()));
        Map<String, Object> slo = new LinkedHashMap<>();
        slo.put("ttft_p99_ms", spec.slo().ttftP99Nanos() == 0 ? null : spec.slo().ttftP99Nanos() / 1e6);
        slo.put("tpot_p99_ms", spec.slo().tpotP99Nanos() == 0 ? null : spec.slo().tpotP99Nanos() / 1e6);
        row.put("slo", slo);
        row.putAll(m.toMap());
        // The p99's distribution-free 95% interval over requests (order statistics; needs n >= 300), for TTFT and TPOT.
        for (String q : List.of("ttft", "tpot")) {
            double[] v = r.requests().stream().mapToLong(q.equals("ttft") ? RequestRecord::ttftNanos : RequestRecord::tpotNanos)
                    .filter(x -> x >= 0).mapToDouble(x -> x / 1e6).toArray();
            TailPercentile p99 = TailPercentile.of(v, 0.99);
            @SuppressWarnings("unchecked")
            Map<String, Object> qm = (Map<String, Object>) row.get(q + "_ms");
            qm.put("p99_ci", p99.hasInterval() ? List.of(p99.ciLow(), p99.ciHigh()) : null);
        }
        int steps = r.trace().steps();
        long tokens = Arrays.stream(r.trace().nTokens()).asLongStream().sum();
        double seqs = 0;
        for (int k = 0; k < steps; k++) {
            seqs += r.trace().sequences(k);
        }
        row.put("steps", steps);
        row.put("mean_batch_sequences", ResultRow.round(seqs / Math.max(1, steps)));
        row.put("mean_step_tokens", ResultRow.round((double) tokens / Math.max(1, steps)));
        row.put("clock_s", ResultRow.round(r.endNanos() / 1e9));
        double[] hostMs = Arrays.stream(r.hostStepNanos()).mapToDouble(v -> v / 1e6).sorted().toArray();
        row.put("host_step_ms_p50", hostMs.length == 0 ? null : ResultRow.round(hostMs[hostMs.length / 2]));
        row.put("host_wall_s", ResultRow.round(wallNanos / 1e9));
        return row;
    }
}
