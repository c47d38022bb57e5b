package dev.tierlab.scenario;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads and validates scenario files. Every problem is collected (not just the first), each as
 * "file:line:column: field: message"; unknown keys are problems too.
 */
public final class ScenarioLoader {

    static final Set<String> KEYS = Set.of("name", "description", "model", "engine", "mode", "threads", "context", "kv_type",
            "workload", "repeats", "warmup", "seed", "tiers", "placement", "prefetch", "cache", "sweep", "reference", "access",
            "precision", "max_repeats", "question", "targets", "slo");
    /** Scenario fields a sweep may vary: each point applies them to its own emulation and to its paired baseline. */
    static final Set<String> SWEEPABLE = Set.of("tiers", "placement", "prefetch", "cache", "reference", "access", "threads",
            "kv_type", "context", "mode");
    static final Set<String> MODEL_KEYS = Set.of("preset", "quant", "layers", "path", "router_zipf", "routing_trace");
    static final Set<String> WORKLOAD_KEYS = Set.of("prompt", "generate", "depth", "cache");

    static final int MAX_THREADS = 512;
    /** More repeats than this per point is a typo (a 30-repeat point already takes minutes). */
    static final int MAX_REPEATS = 10_000;
    static final int MAX_WARMUP = 1_000;
    /** Tokens of context (depth + prompt + generate): the KV cache is allocated for all of them. */
    static final int MAX_CONTEXT_TOKENS = 1 << 20;

    private ScenarioLoader() {
    }

    public static Scenario load(Path file) {
        LocatedYaml yaml;
        try {
            yaml = LocatedYaml.read(file);
        } catch (SpecException e) {
            String m = e.getMessage();
            throw new ScenarioException(List.of(m.startsWith(file.toString()) ? m : file + (Character.isDigit(m.charAt(0)) ? ":" : ": ") + m));
        }
        List<String> problems = new ArrayList<>();
        Scenario s = parse(yaml.root(), file.toAbsolutePath().getParent(), problems, yaml);
        for (Scenario.SweepAxis axis : s == null ? List.<Scenario.SweepAxis>of() : s.sweep()) {
            String missing = Maps.missingParent(yaml.root(), axis.path());
            if (missing != null) {
                problems.add(yaml.where("sweep." + axis.path()) + ": sweep." + axis.path() + ": '" + missing
                        + "' is not declared in the scenario, so this axis would change nothing; declare it or fix the path");
                continue;
            }
            for (int i = 0; i < axis.values().size(); i++) {
                Map<String, Object> copy = Maps.withValue(yaml.root(), axis.path(), axis.values().get(i));
                List<String> pointProblems = new ArrayList<>();
                Scenario point = parse(copy, file.toAbsolutePath().getParent(), pointProblems, yaml);
                if (point != null) {
                    check(pointProblems, yaml, () -> EmulationSpecs.timeline(point.emulation(), point.baseDir(), 1e9));
                }
                String prefix = "sweep." + axis.path() + "[" + i + "] = " + axis.values().get(i) + ": ";
                pointProblems.forEach(p -> problems.add(yaml.where("sweep." + axis.path()) + ": " + prefix + afterWhere(p)));
            }
        }
        if (s != null) {
            check(problems, yaml, () -> EmulationSpecs.timeline(s.emulation(), s.baseDir(), 1e9));
        }
        if (!problems.isEmpty()) {
            throw new ScenarioException(problems.stream().distinct().toList());
        }
        return s;
    }

    /** Parses one (possibly sweep-rewritten) scenario map; problems go to the list, null if fatal. */
    static Scenario parse(Map<String, Object> root, Path baseDir, List<String> problems, LocatedYaml yaml) {
        for (String k : root.keySet()) {
            if (!KEYS.contains(k)) {
                problems.add(where(yaml, k) + ": " + k + ": unknown key; scenario keys are " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        Scenario.ModelRef model = get(problems, yaml, () -> model(root.get("model"), baseDir));
        String engine = String.valueOf(root.getOrDefault("engine", "llama.cpp"));
        if (dev.tierlab.inference.cuda.CudaPlacement.isCuda(engine)) {
            try {
                dev.tierlab.inference.cuda.CudaPlacement.parse(engine);
            } catch (IllegalArgumentException e) {
                problems.add(where(yaml, "engine") + ": engine: " + e.getMessage());
            }
        } else if (!engine.equals("llama.cpp") && !engine.equals("java")) {
            problems.add(where(yaml, "engine") + ": engine: unknown engine '" + engine + "'; use llama.cpp, java or cuda[:host-mapped|:pcie-pinned]");
        }
        String mode = String.valueOf(root.getOrDefault("mode", "inject"));
        if (!mode.equals("inject") && !mode.equals("copy") && !mode.equals("trace")) {
            problems.add(where(yaml, "mode") + ": mode: unknown mode '" + mode + "'; use trace, inject or copy");
        } else if (mode.equals("copy") && !engine.equals("java")) {
            problems.add(where(yaml, "mode") + ": mode: 'copy' is not available with " + engine + "; use inject, or engine: java");
        } else if (mode.equals("copy") && !EmulationSpecs.isHostReference(root)) {
            problems.add(where(yaml, "mode") + ": mode: 'copy' moves real bytes at this host's speed and is not dilated, so it "
                    + "answers only for reference: host; set reference: host, or use inject for an accelerator reference");
        }
        Integer threads = get(problems, yaml, () -> {
            int t = positive("threads", root.getOrDefault("threads", Runtime.getRuntime().availableProcessors()));
            if (t > MAX_THREADS) {
                throw new SpecException("threads", "%d threads is more than %d; give the compute threads of one engine, e.g. 2".formatted(t, MAX_THREADS));
            }
            return t;
        });
        Integer context = root.containsKey("context") ? get(problems, yaml, () -> atMost("context", positive("context", root.get("context")),
                MAX_CONTEXT_TOKENS, "tokens; the KV cache is allocated for all of them")) : null;
        GgmlType kv = get(problems, yaml, () -> {
            String t = String.valueOf(root.getOrDefault("kv_type", "f16"));
            return GgmlType.byName(t).filter(x -> Set.of(GgmlType.F16, GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.BF16).contains(x))
                    .orElseThrow(() -> new SpecException("kv_type", "unknown KV type '%s'; use f16, f32, bf16, q8_0 or q4_0".formatted(t)));
        });
        boolean serving = ServingSpec.isServing(root.get("workload"));
        Scenario.Workload workload = get(problems, yaml, () -> serving ? serving(root, baseDir, mode) : workload(root.get("workload")));
        if (root.containsKey("slo") && !serving) {
            problems.add(where(yaml, "slo") + ": slo: an SLO applies to a serving workload; add workload: {kind: serving, ...} or drop slo");
        }
        Integer repeats = get(problems, yaml, () -> atMost("repeats", positive("repeats", root.getOrDefault("repeats", 3)), MAX_REPEATS,
                "repeats per point; for a precision target use precision and max_repeats"));
        Integer warmup = get(problems, yaml, () -> atMost("warmup", nonNegative("warmup", root.getOrDefault("warmup", 1)), MAX_WARMUP,
                "warmup runs"));
        Long seed = get(problems, yaml, () -> (long) EmulationSpecs.integer("seed", root.getOrDefault("seed", 42)));
        List<Scenario.SweepAxis> sweep = get(problems, yaml, () -> sweep(root.get("sweep")));
        Map<String, Object> emulation = new LinkedHashMap<>();
        if (root.containsKey("targets")) {
            get(problems, yaml, () -> targets(root.get("targets")));
        }
        Double precision = root.containsKey("precision") ? get(problems, yaml, () -> precision(root.get("precision"))) : Double.valueOf(0);
        Integer maxRepeats = root.containsKey("max_repeats") ? get(problems, yaml, () -> atMost("max_repeats",
                positive("max_repeats", root.get("max_repeats")), MAX_REPEATS, "repeats per point"))
                : Integer.valueOf(root.containsKey("precision") ? Math.max(30, repeats == null ? 1 : repeats) : repeats == null ? 1 : repeats);
        if (repeats != null && maxRepeats != null && maxRepeats < repeats) {
            problems.add(where(yaml, "max_repeats") + ": max_repeats: %d is below repeats (%d), the minimum; raise it or lower repeats".formatted(maxRepeats, repeats));
        }
        for (String k : List.of("tiers", "placement", "prefetch", "cache", "reference", "access")) {
            if (root.containsKey(k)) {
                emulation.put(k, root.get(k));
            }
        }
        if (seed != null) {
            emulation.put("seed", seed);
        }
        if (workload != null && context == null) {
            long most = positionsReached(workload);
            if (most > MAX_CONTEXT_TOKENS) {
                problems.add(where(yaml, "workload") + ": workload: depth + prompt + generate reach %d tokens, more than %d; the KV cache is allocated for all of them"
                        .formatted(most, MAX_CONTEXT_TOKENS));
            }
        }
        if (workload != null && context != null) {
            for (int p : workload.prompt()) {
                for (int g : workload.generate()) {
                    for (int d : workload.depth()) {
                        if (d + p + g > context) {
                            problems.add(where(yaml, "workload.prompt") + ": workload.prompt: depth %d + prompt %d + generate %d tokens exceed context %d; raise context or shorten the workload"
                                    .formatted(d, p, g, context));
                        }
                    }
                }
            }
        }
        if (model != null) {
            check(problems, yaml, () -> layerRanges(model, root.get("placement")));
        }
        if (model != null && model.routingTrace() != null && workload != null) {
            if (serving) {
                problems.add(where(yaml, "model.routing_trace") + ": model.routing_trace: serving runs charge the experts their batches "
                        + "route to but do not replay a routing trace yet; drop routing_trace or use a single-stream workload");
            } else if (mode.equals("copy")) {
                problems.add(where(yaml, "model.routing_trace") + ": model.routing_trace: copy mode stages the experts the engine itself "
                        + "routes to, so a trace would reach only the reference; use mode: inject or trace, or drop routing_trace");
            } else {
                var t = RoutingTraceFile.read(model.routingTrace(), "model.routing_trace");
                String tooShort = t.mismatch(t.nExpert(), t.k(), new boolean[0], (int) Math.min(Integer.MAX_VALUE, positionsReached(workload)));
                if (tooShort != null) {
                    problems.add(where(yaml, "model.routing_trace") + ": model.routing_trace: " + model.routingTrace() + ": " + tooShort);
                }
            }
        }
        if (model == null || threads == null || kv == null || workload == null || repeats == null || warmup == null
                || seed == null || sweep == null || precision == null || maxRepeats == null) {
            return null;
        }
        return new Scenario(String.valueOf(root.getOrDefault("name", "scenario")), String.valueOf(root.getOrDefault("description", "")),
                model, engine, mode, threads, context, kv, workload, repeats, warmup, seed, emulation, sweep, baseDir, root,
                precision, maxRepeats, root.containsKey("question") ? String.valueOf(root.get("question")) : null);
    }

    private static <T> T get(List<String> problems, LocatedYaml yaml, Supplier<T> f) {
        try {
            return f.get();
        } catch (SpecException e) {
            problems.add(where(yaml, e.field()) + ": " + e.getMessage());
            return null;
        }
    }

    private static String where(LocatedYaml yaml, String field) {
        return yaml == null ? "scenario" : yaml.where(field);
    }

    private static void check(List<String> problems, LocatedYaml yaml, Runnable r) {
        get(problems, yaml, () -> {
            r.run();
            return Boolean.TRUE;
        });
    }

    private static String afterWhere(String problem) {
        // "file:12:3: field: msg" -> "field: msg"
        int i = problem.indexOf(": ");
        return i >= 0 && problem.substring(0, i).matches(".*:\\d+:\\d+") ? problem.substring(i + 2) : problem;
    }

    private static Scenario.ModelRef model(Object block, Path baseDir) {
        if (block == null) {
            return new Scenario.ModelRef("tiny", "f16", null, null);
        }
        if (block instanceof String s) {
            block = s.endsWith(".gguf") ? Map.of("path", s) : Map.of("preset", s);
        }
        Map<String, Object> m = EmulationSpecs.map("model", block);
        EmulationSpecs.unknownKeys("model", m, MODEL_KEYS);
        if (m.containsKey("path")) {
            if (m.containsKey("preset")) {
                throw new SpecException("model.path", "give either a path or a preset, not both");
            }
            Path p = baseDir.resolve(String.valueOf(m.get("path")));
            if (!java.nio.file.Files.isRegularFile(p)) {
                throw new SpecException("model.path", "no such model file " + p);
            }
            dev.tierlab.inference.model.ModelInfo info;
            try (var f = dev.tierlab.inference.gguf.GgufFile.open(p)) {
                info = dev.tierlab.inference.model.ModelInfo.of(f);
            } catch (RuntimeException e) {
                throw new SpecException("model.path", "%s is not a usable GGUF model: %s".formatted(p, e.getMessage()));
            }
            Path trace = routingTrace(m, baseDir, info.nExpert(), info.nExpertUsed(), info.routedBlocks(), p.getFileName().toString());
            return new Scenario.ModelRef(null, null, null, p, null, trace);
        }
        String preset = String.valueOf(m.getOrDefault("preset", "tiny"));
        var p = Presets.byName(preset).orElseThrow(() -> new SpecException("model.preset",
                "unknown preset '%s'; choose one of %s".formatted(preset, String.join(", ", Presets.names()))));
        String quant = String.valueOf(m.getOrDefault("quant", "f16"));
        QuantMix.byName(quant).orElseThrow(() -> new SpecException("model.quant",
                "unknown quant mix '%s'; choose one of %s".formatted(quant, QuantMix.names())));
        Integer layers = m.containsKey("layers") ? positive("model.layers", m.get("layers")) : null;
        if (layers != null && layers > p.nLayer()) {
            throw new SpecException("model.layers", "%d is more than the %d layers of %s".formatted(layers, p.nLayer(), preset));
        }
        Double zipf = null;
        if (m.containsKey("router_zipf")) {
            if (!p.isMoe()) {
                throw new SpecException("model.router_zipf", "preset %s has no experts; router_zipf needs a mixture-of-experts preset".formatted(preset));
            }
            try {
                zipf = Double.parseDouble(String.valueOf(m.get("router_zipf")).trim());
            } catch (NumberFormatException e) {
                throw new SpecException("model.router_zipf", "'%s' is not a number; write e.g. 1.0".formatted(m.get("router_zipf")));
            }
            if (!(zipf >= 0 && zipf <= 4)) {
                throw new SpecException("model.router_zipf", "must be in [0, 4] (0: uniform routing), got " + zipf);
            }
        }
        boolean[] routed = new boolean[layers != null ? layers : p.nLayer()];
        for (int l = 0; l < routed.length; l++) {
            routed[l] = p.isMoe() && p.moe().isMoeLayer(l);
        }
        Path trace = routingTrace(m, baseDir, p.isMoe() ? p.moe().nExpert() : 0, p.isMoe() ? p.moe().nExpertUsed() : 0, routed,
                "preset " + preset);
        return new Scenario.ModelRef(preset, quant, layers, null, zipf, trace);
    }

    /** The model block's routing_trace, read and checked against the model's shape; null when not given. */
    private static Path routingTrace(Map<String, Object> m, Path baseDir, int nExpert, int k, boolean[] routedBlocks, String model) {
        if (!m.containsKey("routing_trace")) {
            return null;
        }
        if (nExpert == 0) {
            throw new SpecException("model.routing_trace", "%s has no experts; a routing trace needs a mixture-of-experts model".formatted(model));
        }
        Path p = baseDir.resolve(String.valueOf(m.get("routing_trace")));
        String mismatch = RoutingTraceFile.read(p, "model.routing_trace").mismatch(nExpert, k, routedBlocks, 0);
        if (mismatch != null) {
            throw new SpecException("model.routing_trace", "%s does not fit %s: %s".formatted(p, model, mismatch));
        }
        return p;
    }

    /** Token positions the workload reaches: depth + prompt + generate at their largest. */
    static long positionsReached(Scenario.Workload w) {
        return (long) w.depth().stream().mapToInt(Integer::intValue).max().orElse(0) + w.prompt().stream().mapToInt(Integer::intValue).max().orElse(0)
                + w.generate().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private static Scenario.Workload workload(Object block) {
        Map<String, Object> m = block == null ? Map.of() : EmulationSpecs.map("workload", block);
        if (m.containsKey("kind")) {
            throw new SpecException("workload.kind", "unknown workload kind '%s'; use serving (or leave kind out for the prompt x generate grid)"
                    .formatted(m.get("kind")));
        }
        EmulationSpecs.unknownKeys("workload", m, WORKLOAD_KEYS);
        List<Integer> p = ints("workload.prompt", m.getOrDefault("prompt", 128));
        List<Integer> n = ints("workload.generate", m.getOrDefault("generate", 32));
        List<Integer> d = ints("workload.depth", m.getOrDefault("depth", 0));
        String cache = String.valueOf(m.getOrDefault("cache", "warm"));
        if (!cache.equals("warm") && !cache.equals("cold")) {
            throw new SpecException("workload.cache", "'%s' is not warm or cold".formatted(cache));
        }
        for (int pi : p) {
            for (int ni : n) {
                if (pi + ni == 0) {
                    throw new SpecException("workload", "a point with prompt 0 and generate 0 measures nothing");
                }
            }
        }
        return new Scenario.Workload(p, n, d, cache.equals("cold"));
    }

    /** A serving workload (ServingSpec) validated whole; the grid it stands in for runs once. */
    private static Scenario.Workload serving(Map<String, Object> root, Path baseDir, String mode) {
        ServingSpec.parse(EmulationSpecs.map("workload", root.get("workload")), root.get("slo"), baseDir);
        if (!mode.equals("trace")) {
            throw new SpecException("mode", "workload kind serving runs the engine without holds and clocks every step on the reference "
                    + "timeline; set mode: trace");
        }
        return new Scenario.Workload(List.of(0), List.of(1), List.of(0), false);
    }

    private static List<Integer> ints(String field, Object v) {
        List<?> values = v instanceof List<?> l ? l : List.of(v);
        if (values.isEmpty()) {
            throw new SpecException(field, "needs at least one value");
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : values) {
            out.add(nonNegative(field, o));
        }
        return out;
    }

    private static List<Scenario.SweepAxis> sweep(Object block) {
        if (block == null) {
            return List.of();
        }
        Map<String, Object> m = EmulationSpecs.map("sweep", block);
        List<Scenario.SweepAxis> axes = new ArrayList<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            String path = e.getKey();
            String top = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
            if (!SWEEPABLE.contains(top)) {
                throw new SpecException("sweep." + path, ("cannot sweep '%s': the runner does not vary it per point; sweepable fields "
                        + "are under %s (the workload grid is set under workload; run one scenario per model or engine)")
                        .formatted(path, String.join(", ", SWEEPABLE.stream().sorted().toList())));
            }
            List<?> values = e.getValue() instanceof List<?> l ? l : null;
            if (values == null || values.isEmpty()) {
                throw new SpecException("sweep." + path, "expected a list of values, e.g. [1x, 0.5x, 0.25x]");
            }
            for (Object v : values) {
                if (v instanceof Map<?, ?> || v instanceof List<?>) {
                    throw new SpecException("sweep." + path, "values must be scalars (a number, a size, a tier name)");
                }
            }
            if (path.equals("mode") && values.stream().anyMatch(v -> String.valueOf(v).equals("trace"))) {
                throw new SpecException("sweep.mode", "trace mode applies to a whole run; sweep mode over inject and copy, or set mode: trace");
            }
            axes.add(new Scenario.SweepAxis(path, List.copyOf(values)));
        }
        return axes;
    }

    /** Placement layer ranges must name layers the model has: a range past its last layer is a typo the run would ignore. */
    static void layerRanges(Scenario.ModelRef model, Object placement) {
        int nLayer;
        if (model.path() != null) {
            try {
                nLayer = dev.tierlab.inference.model.ModelInfo.of(dev.tierlab.inference.gguf.GgufFile.open(model.path())).nLayer();
            } catch (RuntimeException e) {
                return; // reported as model.path
            }
        } else {
            nLayer = model.layers() != null ? model.layers() : Presets.byName(model.preset()).orElseThrow().nLayer();
        }
        if (!(placement instanceof Map<?, ?> p)) {
            return;
        }
        for (String kind : List.of("weights", "kv")) {
            if (p.get(kind) instanceof List<?> rules) {
                for (int i = 0; i < rules.size(); i++) {
                    if (rules.get(i) instanceof Map<?, ?> r && r.containsKey("layers")) {
                        String f = "placement." + kind + "[" + i + "].layers";
                        int[] range = EmulationSpecs.layers(f, r.get("layers"));
                        if (range[1] >= nLayer) {
                            throw new SpecException(f, "layers %d-%d go past the model's last layer, %d (%s has %d layers)".formatted(
                                    range[0], range[1], nLayer - 1, model.label(), nLayer));
                        }
                    }
                }
            }
        }
    }

    /** The requirement table's loss targets: a non-empty list of percentages in (0, 100%). */
    static double[] targets(Object v) {
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw new SpecException("targets", "expected a list of losses, e.g. [2.2%, 5%, 10%]");
        }
        double[] t = new double[list.size()];
        for (int i = 0; i < t.length; i++) {
            try {
                t[i] = dev.tierlab.reports.ScenarioText.target(list.get(i));
            } catch (IllegalArgumentException e) {
                throw new SpecException("targets", e.getMessage());
            }
        }
        return t;
    }

    /** "2%", "0.02" or "±2%": a relative CI half-width in (0, 1). */
    static double precision(Object v) {
        String t = String.valueOf(v).trim().replace("±", "");
        double p;
        try {
            p = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new SpecException("precision", "'%s' is not a precision; write e.g. 2%% (the CI half-width relative to the ratio)".formatted(v));
        }
        if (!(p > 0 && p < 1)) {
            throw new SpecException("precision", "must be between 0 and 100%%, got '%s'".formatted(v));
        }
        return p;
    }

    static int atMost(String field, int value, int max, String what) {
        if (value > max) {
            throw new SpecException(field, "%d is more than %d %s".formatted(value, max, what));
        }
        return value;
    }

    static int positive(String field, Object v) {
        int i = EmulationSpecs.integer(field, v);
        if (i < 1) {
            throw new SpecException(field, "must be at least 1, got " + i);
        }
        return i;
    }

    static int nonNegative(String field, Object v) {
        int i = EmulationSpecs.integer(field, v);
        if (i < 0) {
            throw new SpecException(field, "must not be negative, got " + i);
        }
        return i;
    }
}
