package dev.tierlab.reports;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of results.jsonl (one finished repeat), the fields reports use. Missing or null numbers
 * are NaN, missing arrays empty.
 *
 * <p>Reads both formats. v2 lines carry {@code role} ("baseline" | "emulated") and {@code pair}: a
 * baseline line and an emulated line with the same {@code point_id} and {@code pair} were measured
 * back to back. v1 lines have no role: {@code baseline: true} lines form their own point per
 * workload, and nothing is paired ({@link #pair()} is -1).
 */
public record ResultRecord(
        String pointId,
        int pointIndex,
        Map<String, String> axes,
        Role role,
        int pair,
        String order,
        int repeat,
        String mode,
        int nPrompt,
        int nGen,
        int nDepth,
        Host host,
        Reference reference,
        Noise noise,
        double fidelity,
        Map<String, TierFigures> tiers,
        boolean v2,
        double expertCacheHitRate) {

    public enum Role { BASELINE, EMULATED }

    /** Figures measured on the host clock. */
    public record Host(double ppTps, double tgTps, double ttftMs, double e2eMs, double itlP50Ms, double itlP99Ms, int itlN,
            double[] decodeMs, double stallMs, double measuredStepMs, double modelledStepMs) {

        /** Median per-token decode time: from decode_ms when present, else itl_ms.p50. */
        public double medianDecodeMs() {
            return decodeMs.length > 0 ? dev.tierlab.reports.stats.SampleStats.median(decodeMs) : itlP50Ms;
        }
    }

    /** Figures of the deterministic reference-timeline model (never host noise); NaN on v1 lines. */
    public record Reference(String name, double tgTps, double ppTps, double ttftMs, double stepMs, double itlP50Ms,
            double itlP99Ms, double[] decodeMs, double tgRatio) {
    }

    /** The machine's state around the repeat: bandwidth sentinel, disturbance flag, GC pauses inside it. */
    public record Noise(double sentinelGbps, boolean disturbed, int gcCount, double gcTotalMs, double gcMaxMs) {
    }

    /**
     * One tier's traffic and latency percentiles (microseconds). v2 keeps device, queue and transfer
     * apart; v1 had one read latency ({@code readP99Us}).
     */
    public record TierFigures(long bytesRead, long requests, double stallMs, double deviceP50Us, double deviceP99Us,
            double queueP50Us, double queueP99Us, double transferP50Us, double transferP99Us, double readP99Us) {
    }

    public boolean baseline() {
        return role == Role.BASELINE;
    }

    public boolean paired() {
        return pair >= 0;
    }

    /** The workload part of the point id ("p128-n32-d0"): points with the same one share a workload. */
    public String workloadKey() {
        return workloadOf(pointId);
    }

    static String workloadOf(String pointId) {
        int slash = pointId.indexOf('/');
        return slash < 0 ? pointId : pointId.substring(0, slash);
    }

    static ResultRecord of(JsonNode n) {
        if (!n.path("point_id").isTextual()) {
            throw new IllegalArgumentException("a results line without point_id");
        }
        Map<String, String> axes = new LinkedHashMap<>();
        n.path("point").fields().forEachRemaining(e -> axes.put(e.getKey(), e.getValue().asText()));
        boolean v2 = n.hasNonNull("role");
        Role role;
        if (v2) {
            role = switch (n.get("role").asText()) {
                case "baseline" -> Role.BASELINE;
                case "emulated" -> Role.EMULATED;
                default -> throw new IllegalArgumentException("role must be baseline or emulated, got " + n.get("role"));
            };
        } else {
            role = n.path("baseline").asBoolean() ? Role.BASELINE : Role.EMULATED;
        }
        JsonNode itl = n.path("itl_ms");
        double[] decode = array(n.path("decode_ms"));
        Host host = new Host(num(n.path("pp_tps")), num(n.path("tg_tps")), num(n.path("ttft_ms")), num(n.path("e2e_ms")),
                num(itl.path("p50")), num(itl.path("p99")), n.path("itl_n").isNumber() ? n.get("itl_n").asInt() : decode.length,
                decode, num(n.path("stall_ms")), num(n.path("measured_step_ms")), num(n.path("modelled_step_ms")));
        JsonNode refItl = n.path("ref_itl_ms");
        Reference ref = new Reference(n.path("reference").isTextual() ? n.get("reference").asText() : "", num(n.path("ref_tg_tps")),
                num(n.path("ref_pp_tps")), num(n.path("ref_ttft_ms")), num(n.path("ref_step_ms")), num(refItl.path("p50")),
                num(refItl.path("p99")), array(n.path("ref_decode_ms")), num(n.path("ref_tg_ratio")));
        JsonNode gc = n.path("gc");
        Noise noise = new Noise(num(n.path("sentinel_gbps")), n.path("disturbed").asBoolean(false), gc.path("count").asInt(0),
                num(gc.path("total_ms")), num(gc.path("max_ms")));
        Map<String, TierFigures> tiers = new LinkedHashMap<>();
        n.path("tiers").fields().forEachRemaining(e -> {
            JsonNode t = e.getValue();
            tiers.put(e.getKey(), new TierFigures(t.path("bytes_read").asLong(0), t.path("requests").asLong(0), num(t.path("stall_ms")),
                    num(t.path("device_latency_us").path("p50")), num(t.path("device_latency_us").path("p99")),
                    num(t.path("queue_us").path("p50")), num(t.path("queue_us").path("p99")),
                    num(t.path("transfer_us").path("p50")), num(t.path("transfer_us").path("p99")),
                    num(t.path("read_latency_p99_us"))));
        });
        int pair = v2 && n.path("pair").isNumber() ? n.get("pair").asInt() : -1;
        String mode = n.path("mode").isTextual() ? n.get("mode").asText() : (role == Role.BASELINE ? "none" : "");
        return new ResultRecord(n.get("point_id").asText(), n.path("point_index").asInt(), axes, role, pair,
                n.path("order").asText(""), n.path("repeat").asInt(), mode, n.path("n_prompt").asInt(), n.path("n_gen").asInt(),
                n.path("n_depth").asInt(), host, ref, noise, num(n.path("fidelity")), tiers, v2,
                num(n.path("moe").path("expert_cache_hit_rate")));
    }

    private static double num(JsonNode v) {
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    private static double[] array(JsonNode v) {
        if (!v.isArray()) {
            return new double[0];
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber()) {
                throw new IllegalArgumentException("a per-token time that is not a number: " + e);
            }
            out[i] = e.asDouble();
        }
        return out;
    }

    /** The key under which a repeat is stored once (resumed and merged runs may repeat a line). */
    String identity() {
        return pointId + "#" + role + "#" + (paired() ? "pair" + pair : "rep" + repeat);
    }
}
