package dev.tierlab.reports;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** One line of results.jsonl, the fields reports use. Missing numbers are NaN. */
public record ResultRecord(
        String pointId,
        int pointIndex,
        boolean baseline,
        Map<String, String> axes,
        int repeat,
        int nPrompt,
        int nGen,
        int nDepth,
        double ppTps,
        double tgTps,
        double ttftMs,
        double e2eMs,
        double itlP99Ms,
        double stallMs,
        double measuredStepMs,
        double modelledStepMs,
        Map<String, Double> tierReadP99Us) {

    static ResultRecord of(JsonNode n) {
        Map<String, String> axes = new LinkedHashMap<>();
        n.path("point").fields().forEachRemaining(e -> axes.put(e.getKey(), e.getValue().asText()));
        Map<String, Double> tiers = new LinkedHashMap<>();
        n.path("tiers").fields().forEachRemaining(e -> tiers.put(e.getKey(), num(e.getValue().path("read_latency_p99_us"))));
        return new ResultRecord(n.path("point_id").asText(), n.path("point_index").asInt(), n.path("baseline").asBoolean(),
                axes, n.path("repeat").asInt(), n.path("n_prompt").asInt(), n.path("n_gen").asInt(), n.path("n_depth").asInt(),
                num(n.path("pp_tps")), num(n.path("tg_tps")), num(n.path("ttft_ms")), num(n.path("e2e_ms")),
                num(n.path("itl_ms").path("p99")), num(n.path("stall_ms")), num(n.path("measured_step_ms")),
                num(n.path("modelled_step_ms")), tiers);
    }

    private static double num(JsonNode v) {
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** The workload part of the point id ("p128-n32-d0"): points with the same one share a baseline. */
    public String workloadKey() {
        int slash = pointId.indexOf('/');
        return slash < 0 ? pointId : pointId.substring(0, slash);
    }
}
