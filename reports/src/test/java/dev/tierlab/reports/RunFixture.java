package dev.tierlab.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Writes synthetic run directories in the results.jsonl v2 (or v1) format, with known true ratios. */
final class RunFixture {

    static final ObjectMapper JSON = new ObjectMapper();

    private final List<Map<String, Object>> lines = new ArrayList<>();
    private final SplittableRandom rnd;
    private String yaml = "# Question: how much bandwidth keeps decode fast?\nname: fixture\n";
    private int nextIndex;

    RunFixture(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    RunFixture yaml(String y) {
        this.yaml = y;
        return this;
    }

    /**
     * A v2 point with {@code pairs} pairs: baseline per-token time {@code baseMs}, emulated slower by
     * 1/trueRatio, multiplicative noise of SD {@code noise} on every token and line. The reference
     * ratio is {@code refRatio}, exactly.
     */
    RunFixture pairedPoint(String pointId, Map<String, String> axes, int pairs, double trueRatio, double refRatio, double baseMs, double noise,
            int tokens) {
        int index = nextIndex++;
        for (int p = 0; p < pairs; p++) {
            double lineNoiseB = Math.exp(noise * rnd.nextGaussian());
            double lineNoiseE = Math.exp(noise * rnd.nextGaussian());
            lines.add(v2Line(pointId, index, axes, "baseline", p, baseMs * lineNoiseB, tokens, 100.0, 0.0));
            lines.add(v2Line(pointId, index, axes, "emulated", p, baseMs / trueRatio * lineNoiseE, tokens, 100.0 * refRatio, 0.0));
        }
        return this;
    }

    Map<String, Object> v2Line(String pointId, int index, Map<String, String> axes, String role, int pair, double medianMs, int tokens,
            double refTg, double jitter) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("point", axes);
        m.put("point_id", pointId);
        m.put("point_index", index);
        m.put("baseline", role.equals("baseline"));
        m.put("role", role);
        m.put("pair", pair);
        m.put("order", pair % 2 == 0 ? "BE" : "EB");
        m.put("repeat", pair);
        m.put("engine", "fixture");
        m.put("mode", role.equals("baseline") ? "none" : "inject");
        m.put("n_prompt", 16);
        m.put("n_gen", tokens);
        m.put("n_depth", 0);
        double[] decode = new double[tokens];
        for (int i = 0; i < tokens; i++) {
            decode[i] = medianMs * Math.exp(0.01 * rnd.nextGaussian());
        }
        java.util.Arrays.sort(decode);
        m.put("decode_ms", decode);
        m.put("itl_n", tokens);
        m.put("itl_ms", Map.of("p50", medianMs, "p99", decode[tokens - 1]));
        m.put("tg_tps", 1000 / medianMs);
        m.put("pp_tps", 500 / medianMs);
        m.put("ttft_ms", 20.0);
        m.put("sentinel_gbps", 20 + rnd.nextGaussian() * 0.2);
        m.put("disturbed", false);
        m.put("gc", Map.of("count", 0, "total_ms", 0.0, "max_ms", 0.0));
        m.put("ref_tg_tps", refTg);
        m.put("ref_pp_tps", refTg * 5);
        m.put("reference", "h200");
        m.put("fidelity", role.equals("baseline") ? null : 1.02);
        m.put("tiers", role.equals("baseline") ? Map.of() : Map.of("hbf", Map.of("bytes_read", 1000, "requests", 10, "stall_ms", 1.5,
                "device_latency_us", Map.of("p50", 3.0, "p99", 9.0), "queue_us", Map.of("p50", 1.0, "p99", 4.0),
                "transfer_us", Map.of("p50", 2.0, "p99", 2.5))));
        return m;
    }

    /** Marks the emulated line of a pair disturbed, with a low sentinel. */
    RunFixture disturb(String pointId, int pair) {
        for (Map<String, Object> m : lines) {
            if (m.get("point_id").equals(pointId) && m.get("pair").equals(pair) && m.get("role").equals("emulated")) {
                m.put("disturbed", true);
                m.put("sentinel_gbps", 9.0);
            }
        }
        return this;
    }

    List<Map<String, Object>> lines() {
        return lines;
    }

    Path write(Path dir) {
        try {
            Files.createDirectories(dir);
            StringBuilder sb = new StringBuilder();
            for (Map<String, Object> m : lines) {
                sb.append(JSON.writeValueAsString(m)).append('\n');
            }
            Files.writeString(dir.resolve("results.jsonl"), sb.toString());
            Files.writeString(dir.resolve("scenario.yaml"), yaml);
            Files.writeString(dir.resolve("env.json"), JSON.writeValueAsString(Map.of("scenario", "fixture", "cpu", "test cpu", "cores", 2,
                    "sentinel", Map.of("median_gbps", 20.0, "p10_gbps", 19.7, "n", lines.size()))));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exact degradation model of the fixture sweeps: per-token time base * (1 + c / bandwidth). */
    static double trueRatio(double bandwidthX, double c) {
        return 1 / (1 + c / bandwidthX);
    }
}
