package dev.tierlab.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.units.Units;
import dev.tierlab.inference.serving.Arrivals;
import dev.tierlab.inference.serving.LengthDistribution;
import dev.tierlab.inference.serving.Request;
import dev.tierlab.inference.serving.ServingMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A serving workload ({@code workload: {kind: serving, ...}}) and its SLO ({@code slo:}): requests
 * arriving on the run's clock (reference time), served by continuous batching.
 *
 * @param rates      offered loads in requests per second (one load point each); empty for a trace
 * @param trace      requests read from a JSONL trace file (null unless {@code process: trace})
 */
public record ServingSpec(Arrivals.Process process, List<Double> rates, List<Request> trace, Path traceFile, LengthDistribution prompt,
        LengthDistribution output, int maxSequences, int tokenBudget, long durationNanos, int minRequests, ServingMetrics.Slo slo) {

    static final Set<String> KEYS = Set.of("kind", "arrivals", "prompt", "output", "max_sequences", "token_budget", "duration",
            "min_requests");
    private static final Set<String> ARRIVAL_KEYS = Set.of("process", "rate", "file");
    private static final Set<String> SLO_KEYS = Set.of("ttft_p99", "tpot_p99");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether a scenario's workload block asks for serving. */
    public static boolean isServing(Object workloadBlock) {
        return workloadBlock instanceof Map<?, ?> m && "serving".equals(String.valueOf(m.get("kind")));
    }

    /** The serving spec of a loaded scenario (its workload must be a serving one). */
    public static ServingSpec of(Scenario s) {
        return parse(EmulationSpecs.map("workload", s.root().get("workload")), s.root().get("slo"), s.baseDir());
    }

    static ServingSpec parse(Map<String, Object> m, Object sloBlock, Path baseDir) {
        EmulationSpecs.unknownKeys("workload", m, KEYS);
        Map<String, Object> a = EmulationSpecs.map("workload.arrivals", m.get("arrivals") == null ? Map.of() : m.get("arrivals"));
        EmulationSpecs.unknownKeys("workload.arrivals", a, ARRIVAL_KEYS);
        String p = String.valueOf(a.getOrDefault("process", "poisson"));
        Arrivals.Process process = null;
        List<Request> trace = null;
        Path traceFile = null;
        List<Double> rates = new ArrayList<>();
        switch (p) {
            case "poisson" -> process = Arrivals.Process.POISSON;
            case "constant" -> process = Arrivals.Process.CONSTANT;
            case "trace" -> {
            }
            default -> throw new SpecException("workload.arrivals.process", "unknown process '%s'; use poisson, constant or trace".formatted(p));
        }
        if (process != null) {
            if (!a.containsKey("rate")) {
                throw new SpecException("workload.arrivals.rate", "give the offered loads in requests per second, e.g. rate: [100, 200, 400]");
            }
            if (a.containsKey("file")) {
                throw new SpecException("workload.arrivals.file", "a trace file goes with process: trace");
            }
            List<?> values = a.get("rate") instanceof List<?> l ? l : List.of(a.get("rate"));
            if (values.isEmpty()) {
                throw new SpecException("workload.arrivals.rate", "needs at least one rate");
            }
            for (Object v : values) {
                double r;
                try {
                    r = Double.parseDouble(String.valueOf(v).replace("/s", "").trim());
                } catch (NumberFormatException e) {
                    throw new SpecException("workload.arrivals.rate", "'%s' is not a rate; write requests per second, e.g. 250".formatted(v));
                }
                if (!(r > 0) || Double.isInfinite(r)) {
                    throw new SpecException("workload.arrivals.rate", "rates must be positive requests per second, got '%s'".formatted(v));
                }
                rates.add(r);
            }
        } else {
            if (a.containsKey("rate")) {
                throw new SpecException("workload.arrivals.rate", "a trace sets its own arrival times; drop rate, or use process: poisson");
            }
            if (!a.containsKey("file")) {
                throw new SpecException("workload.arrivals.file", "process: trace needs file: a JSONL file, one {\"arrival_ms\", \"prompt\", \"output\"} per line");
            }
            traceFile = baseDir.resolve(String.valueOf(a.get("file")));
            trace = readTrace(traceFile);
        }
        LengthDistribution prompt = lengths("workload.prompt", m.getOrDefault("prompt", 64));
        LengthDistribution output = lengths("workload.output", m.getOrDefault("output", 32));
        int maxSeq = ScenarioLoader.positive("workload.max_sequences", m.getOrDefault("max_sequences", 8));
        int budget = ScenarioLoader.positive("workload.token_budget", m.getOrDefault("token_budget", Math.max(64, maxSeq)));
        if (budget < maxSeq) {
            throw new SpecException("workload.token_budget", "%d is below max_sequences (%d): every running sequence decodes one token a step; raise it"
                    .formatted(budget, maxSeq));
        }
        long duration = Math.round(Units.durationNanos("workload.duration", String.valueOf(m.getOrDefault("duration", "1s"))));
        int minRequests = ScenarioLoader.positive("workload.min_requests", m.getOrDefault("min_requests", 100));
        ServingMetrics.Slo slo = ServingMetrics.Slo.NONE;
        if (sloBlock != null) {
            Map<String, Object> s = EmulationSpecs.map("slo", sloBlock);
            EmulationSpecs.unknownKeys("slo", s, SLO_KEYS);
            long ttft = s.containsKey("ttft_p99") ? positiveNanos("slo.ttft_p99", s.get("ttft_p99")) : 0;
            long tpot = s.containsKey("tpot_p99") ? positiveNanos("slo.tpot_p99", s.get("tpot_p99")) : 0;
            slo = new ServingMetrics.Slo(ttft, tpot);
        }
        return new ServingSpec(process, List.copyOf(rates), trace, traceFile, prompt, output, maxSeq, budget, duration, minRequests, slo);
    }

    private static long positiveNanos(String field, Object v) {
        double ns = Units.durationNanos(field, String.valueOf(v));
        if (!(ns > 0)) {
            throw new SpecException(field, "must be a positive duration such as 50ms or 200us, got '%s'".formatted(v));
        }
        return Math.round(ns);
    }

    /** 64, or {uniform: [32, 128]}. */
    static LengthDistribution lengths(String field, Object v) {
        if (v instanceof Map<?, ?> raw) {
            Map<String, Object> m = EmulationSpecs.map(field, raw);
            EmulationSpecs.unknownKeys(field, m, Set.of("uniform"));
            List<?> range = m.get("uniform") instanceof List<?> l ? l : List.of();
            if (range.size() != 2) {
                throw new SpecException(field + ".uniform", "expected [min, max] in tokens, e.g. uniform: [32, 128]");
            }
            int lo = ScenarioLoader.positive(field + ".uniform", range.get(0));
            int hi = ScenarioLoader.positive(field + ".uniform", range.get(1));
            if (hi < lo) {
                throw new SpecException(field + ".uniform", "max %d is below min %d".formatted(hi, lo));
            }
            return new LengthDistribution(lo, hi);
        }
        return LengthDistribution.fixed(ScenarioLoader.positive(field, v));
    }

    private static List<Request> readTrace(Path file) {
        String f = "workload.arrivals.file";
        if (!Files.isRegularFile(file)) {
            throw new SpecException(f, "no such trace file " + file);
        }
        List<Request> out = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(file);
            double last = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty()) {
                    continue;
                }
                String at = file + " line " + (i + 1);
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JacksonException e) {
                    throw new SpecException(f, at + " is not JSON: " + e.getOriginalMessage());
                }
                if (n == null || !n.path("arrival_ms").isNumber() || !n.path("prompt").canConvertToInt() || !n.path("output").canConvertToInt()) {
                    throw new SpecException(f, at + " needs numbers arrival_ms, prompt and output, e.g. {\"arrival_ms\": 12.5, \"prompt\": 64, \"output\": 32}");
                }
                double ms = n.get("arrival_ms").asDouble();
                int pr = n.get("prompt").asInt();
                int ou = n.get("output").asInt();
                if (ms < last || pr < 1 || ou < 1) {
                    throw new SpecException(f, at + ": arrivals must not go back in time and prompt and output need at least 1 token");
                }
                last = ms;
                out.add(new Request(out.size(), Math.round(ms * 1e6), pr, ou));
            }
        } catch (IOException e) {
            throw new SpecException(f, "cannot read " + file + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new SpecException(f, file + " holds no requests");
        }
        return List.copyOf(out);
    }

    /** The load points: one per rate, or the trace's single one (labelled by its mean offered rate). */
    public int loads() {
        return trace != null ? 1 : rates.size();
    }

    /** The requests of load point i, from the scenario's seed. */
    public List<Request> requests(int i, long seed) {
        if (trace != null) {
            return trace;
        }
        return Arrivals.generate(process, rates.get(i), prompt, output, seed, durationNanos, minRequests);
    }

    /** The offered load of point i in requests per second. */
    public double offeredRate(int i, long seed) {
        if (trace != null) {
            long span = trace.getLast().arrivalNanos();
            return span > 0 ? trace.size() * 1e9 / span : Double.NaN;
        }
        return rates.get(i);
    }

    /** The longest a sequence can get (prompt + output), for sizing the KV cache. */
    public int maxSequenceTokens() {
        if (trace != null) {
            return trace.stream().mapToInt(r -> r.promptTokens() + r.outputTokens()).max().orElse(1);
        }
        return prompt.max() + output.max();
    }
}
