package dev.tierlab.run;

import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.inference.bench.BenchSample;
import dev.tierlab.inference.bench.BenchTest;
import dev.tierlab.scenario.SweepPlanner;
import dev.tierlab.reports.stats.SampleStats;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** One line of results.jsonl: one measured repeat of one point, in the DESIGN contract's fields. */
public final class ResultRow {

    private ResultRow() {
    }

    static Map<String, Object> of(SweepPlanner.Point point, int repeat, String engine, String mode, Map<String, Object> model,
            int threads, boolean cold, BenchSample s, Histogram itl) {
        BenchTest t = point.workload();
        Map<String, Object> row = new LinkedHashMap<>();
        Map<String, Object> axes = new LinkedHashMap<>(point.axes());
        row.put("point", axes);
        row.put("point_id", point.id());
        row.put("point_index", point.index());
        row.put("baseline", point.baseline());
        row.put("repeat", repeat);
        row.put("engine", engine);
        row.put("mode", point.baseline() ? "none" : mode);
        row.put("model", model);
        row.put("threads", threads);
        row.put("cache", cold ? "cold" : "warm");
        row.put("n_prompt", t.nPrompt());
        row.put("n_gen", t.nGen());
        row.put("n_depth", t.nDepth());
        row.put("pp_tps", t.nPrompt() > 0 ? round(s.promptTokensPerSecond(t)) : null);
        row.put("tg_tps", t.nGen() > 0 ? round(s.genTokensPerSecond(t)) : null);
        row.put("ttft_ms", round(s.ttftNanos() / 1e6));
        row.put("e2e_ms", round(s.totalNanos() / 1e6));
        Map<String, Object> itlMs = new LinkedHashMap<>();
        if (itl.getTotalCount() > 0) {
            itlMs.put("p50", round(itl.getValueAtPercentile(50) / 1e6));
            itlMs.put("p90", round(itl.getValueAtPercentile(90) / 1e6));
            itlMs.put("p99", round(itl.getValueAtPercentile(99) / 1e6));
            itlMs.put("p999", round(itl.getValueAtPercentile(99.9) / 1e6));
            itlMs.put("max", round(itl.getMaxValue() / 1e6));
        }
        row.put("itl_ms", itlMs);
        LedgerSummary em = s.emulation();
        Map<String, Object> tiers = em == null ? Map.of() : tierColumns(em);
        row.put("tiers", tiers);
        row.put("stall_ms", em == null ? 0.0 : round(em.stallNanos() / 1e6));
        double measured = em != null ? em.decodeMeasuredMedianNanos()
                : SampleStats.median(Arrays.stream(s.decodeNanos()).asDoubleStream().toArray());
        row.put("measured_step_ms", t.nGen() > 0 ? round(measured / 1e6) : null);
        row.put("modelled_step_ms", em != null && t.nGen() > 0 && Double.isFinite(em.decodeModelledMedianNanos())
                ? round(em.decodeModelledMedianNanos() / 1e6) : null);
        Map<String, Object> counters = new LinkedHashMap<>();
        counters.put("t_p_eval_ms", round(s.counters().tPromptEvalMs()));
        counters.put("t_eval_ms", round(s.counters().tEvalMs()));
        counters.put("n_p_eval", s.counters().nPromptEval());
        counters.put("n_eval", s.counters().nEval());
        row.put("engine_counters", counters);
        return row;
    }

    /** Per tier that served requests: bytes, requests, stall and read-latency percentiles. */
    public static Map<String, Object> tierColumns(LedgerSummary em) {
        Map<String, Object> tiers = new LinkedHashMap<>();
        for (LedgerSummary.TierSummary ts : em.tiers()) {
            if (ts.requests() == 0) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bytes_read", ts.bytesRead());
            m.put("bytes_written", ts.bytesWritten());
            m.put("requests", ts.requests());
            m.put("stall_ms", round(ts.stallNanos() / 1e6));
            m.put("read_latency_p50_us", round(ts.readLatencyP50Nanos() / 1e3));
            m.put("read_latency_p99_us", round(ts.readLatencyP99Nanos() / 1e3));
            tiers.put(ts.tier(), m);
        }
        return tiers;
    }

    static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null;
    }
}
