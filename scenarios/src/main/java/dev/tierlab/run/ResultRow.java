package dev.tierlab.run;

import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.emulator.reference.ReferenceSystem;
import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.inference.bench.BenchSample;
import dev.tierlab.inference.bench.BenchTest;
import dev.tierlab.reports.stats.SampleStats;
import dev.tierlab.scenario.SweepPlanner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One line of results.jsonl: one measured repeat (a baseline or an emulated side of a pair), in the
 * contract's fields. Host figures are what the host measured; {@code ref_*} figures come from the
 * reference timeline, which host noise never enters.
 */
public final class ResultRow {

    private ResultRow() {
    }

    /** A measured repeat: host figures, per-token decode times and llama.cpp's own counters. */
    static Map<String, Object> of(SweepPlanner.Point point, String role, int pair, String order, String engine, String mode,
            Map<String, Object> model, int threads, boolean cold, BenchSample s) {
        BenchTest t = point.workload();
        Map<String, Object> row = header(point, role, pair, order, engine, mode, model, threads, cold);
        row.put("pp_tps", t.nPrompt() > 0 ? round(s.promptTokensPerSecond(t)) : null);
        row.put("tg_tps", t.nGen() > 0 ? round(s.genTokensPerSecond(t)) : null);
        row.put("ttft_ms", round(s.ttftNanos() / 1e6));
        row.put("e2e_ms", round(s.totalNanos() / 1e6));
        row.put("itl_ms", percentiles(Arrays.stream(s.decodeNanos()).asDoubleStream().map(v -> v / 1e6).toArray()));
        row.put("itl_n", s.decodeNanos().length);
        row.put("decode_ms", Arrays.stream(s.decodeNanos()).mapToObj(v -> round(v / 1e6)).toList());
        row.put("measured_step_ms", t.nGen() > 0 ? round(medianDecodeMs(s)) : null);
        row.put("tiers", Map.of());
        Map<String, Object> counters = new LinkedHashMap<>();
        counters.put("t_p_eval_ms", round(s.counters().tPromptEvalMs()));
        counters.put("t_eval_ms", round(s.counters().tEvalMs()));
        counters.put("n_p_eval", s.counters().nPromptEval());
        counters.put("n_eval", s.counters().nEval());
        row.put("engine_counters", counters);
        return row;
    }

    /** A trace-mode point: reference figures only, no host measurement of its own. */
    static Map<String, Object> traceOnly(SweepPlanner.Point point, int repeat, String engine, Map<String, Object> model, int threads,
            boolean cold) {
        Map<String, Object> row = header(point, "emulated", repeat, "trace", engine, "trace", model, threads, cold);
        for (String k : List.of("pp_tps", "tg_tps", "ttft_ms", "e2e_ms", "measured_step_ms", "fidelity")) {
            row.put(k, null);
        }
        row.put("itl_ms", Map.of());
        row.put("itl_n", 0);
        return row;
    }

    /** The identifying fields of a line (point, role, pair, workload, engine): what a failed repeat's line carries. */
    static Map<String, Object> header(SweepPlanner.Point point, String role, int pair, String order, String engine, String mode,
            Map<String, Object> model, int threads, boolean cold) {
        BenchTest t = point.workload();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("point", new LinkedHashMap<>(point.axes()));
        row.put("point_id", point.id());
        row.put("point_index", point.index());
        row.put("role", role);
        row.put("baseline", role.equals("baseline"));
        row.put("pair", pair);
        row.put("repeat", pair);
        row.put("order", order);
        row.put("engine", engine);
        row.put("mode", mode);
        row.put("model", model);
        row.put("threads", threads);
        row.put("cache", cold ? "cold" : "warm");
        row.put("n_prompt", t.nPrompt());
        row.put("n_gen", t.nGen());
        row.put("n_depth", t.nDepth());
        return row;
    }

    /**
     * The reference timeline's figures. {@code base} (the same trace with every byte on the top tier)
     * adds the reference degradation of this line: ref_tg_ratio = base decode time / this decode time.
     */
    public static void addReference(Map<String, Object> row, ReferenceTimeline.Result ref, ReferenceTimeline.Result base, BenchTest t,
            ReferenceSystem reference) {
        double decodeNs = ref.totalNanos(true);
        double prefillNs = ref.totalNanos(false);
        double[] decodeMs = Arrays.stream(ref.decodeStepNanos()).map(v -> v / 1e6).toArray();
        row.put("reference", reference.name());
        row.put("ref_tg_tps", t.nGen() > 0 && decodeNs > 0 ? round(t.nGen() / (decodeNs / 1e9)) : null);
        row.put("ref_pp_tps", t.nPrompt() > 0 && prefillNs > 0 ? round(t.nPrompt() / (prefillNs / 1e9)) : null);
        row.put("ref_ttft_ms", roundFine((t.nPrompt() > 0 ? prefillNs : decodeMs.length > 0 ? decodeMs[0] * 1e6 : 0) / 1e6));
        row.put("ref_step_ms", decodeMs.length > 0 ? roundFine(SampleStats.median(decodeMs)) : null);
        row.put("ref_itl_ms", percentiles(decodeMs, ResultRow::roundFine));
        row.put("ref_decode_ms", Arrays.stream(decodeMs).mapToObj(v -> roundFine(v)).toList());
        if (ref.experts() != null) {
            row.put("moe", expertColumns(ref.experts()));
        }
        if (base != null) {
            double baseDecode = base.totalNanos(true);
            double basePrefill = base.totalNanos(false);
            row.put("ref_tg_ratio", decodeNs > 0 ? round(baseDecode / decodeNs) : null);
            row.put("ref_pp_ratio", prefillNs > 0 ? round(basePrefill / prefillNs) : null);
        }
    }

    /**
     * Mixture-of-experts figures: the routing histogram (per block, per expert: decode tokens and prefill
     * steps that routed to it), and the expert cache's overall and per-expert hit rates (null where an
     * expert was never looked up).
     */
    static Map<String, Object> expertColumns(ReferenceTimeline.ExpertStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("routing_histogram", Arrays.stream(s.routed()).map(r -> Arrays.stream(r).boxed().toList()).toList());
        double rate = s.cacheHitRate();
        m.put("expert_cache_hit_rate", Double.isNaN(rate) ? null : round(rate));
        List<List<Double>> perExpert = new ArrayList<>();
        for (int l = 0; l < s.cacheLookups().length; l++) {
            List<Double> row = new ArrayList<>();
            for (int e = 0; e < s.cacheLookups()[l].length; e++) {
                long n = s.cacheLookups()[l][e];
                row.add(n == 0 ? null : round(s.cacheHits()[l][e] / (double) n));
            }
            perExpert.add(row);
        }
        m.put("expert_hit_rates", perExpert);
        return m;
    }

    /** Per lower tier: traffic, reference stall, and device latency, queueing and transfer kept apart. */
    public static Map<String, Object> tierColumns(ReferenceTimeline.Result ref) {
        Map<String, Object> tiers = new LinkedHashMap<>();
        for (ReferenceTimeline.TierStats ts : ref.tiers().values()) {
            if (ts.requests() == 0) {
                continue;
            }
            Map<String, Object> m = traffic(ts.bytesRead(), ts.bytesWritten(), ts.requests(), roundFine(ts.stallNanos() / 1e6));
            m.put("device_latency_us", micros(ts.deviceLatency()));
            m.put("queue_us", micros(ts.queueing()));
            m.put("transfer_us", micros(ts.transfer()));
            tiers.put(ts.tier(), m);
        }
        return tiers;
    }

    private static Map<String, Object> traffic(long bytesRead, long bytesWritten, long requests, Double stallMs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes_read", bytesRead);
        m.put("bytes_written", bytesWritten);
        m.put("requests", requests);
        m.put("stall_ms", stallMs);
        return m;
    }

    private static Map<String, Object> micros(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (h != null && h.getTotalCount() > 0) {
            m.put("p50", roundFine(h.getValueAtPercentile(50) / 1e3));
            m.put("p99", roundFine(h.getValueAtPercentile(99) / 1e3));
            m.put("max", roundFine(h.getMaxValue() / 1e3));
            m.put("n", h.getTotalCount());
        }
        return m;
    }

    /** Per tier that served requests in the old emulator (bench --emulate): bytes, requests, stall. */
    public static Map<String, Object> tierColumns(LedgerSummary em) {
        Map<String, Object> tiers = new LinkedHashMap<>();
        for (LedgerSummary.TierSummary ts : em.tiers()) {
            if (ts.requests() == 0) {
                continue;
            }
            tiers.put(ts.tier(), traffic(ts.bytesRead(), ts.bytesWritten(), ts.requests(), round(ts.stallNanos() / 1e6)));
        }
        return tiers;
    }

    /** Exact percentiles of a small sample (nearest rank); the report decides which of them n supports. */
    static Map<String, Object> percentiles(double[] values) {
        return percentiles(values, ResultRow::round);
    }

    static Map<String, Object> percentiles(double[] values, java.util.function.DoubleFunction<Double> rounding) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (values.length == 0) {
            return m;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        m.put("p50", rounding.apply(rank(s, 50)));
        m.put("p90", rounding.apply(rank(s, 90)));
        m.put("p99", rounding.apply(rank(s, 99)));
        m.put("p999", rounding.apply(rank(s, 99.9)));
        m.put("max", rounding.apply(s[s.length - 1]));
        return m;
    }

    private static double rank(double[] sorted, double pct) {
        int i = (int) Math.ceil(pct / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static double medianDecodeMs(BenchSample s) {
        double[] v = Arrays.stream(s.decodeNanos()).asDoubleStream().map(x -> x / 1e6).toArray();
        return SampleStats.median(v);
    }

    static Histogram itlHistogram(BenchSample s) {
        Histogram h = new Histogram(3);
        for (long d : s.decodeNanos()) {
            h.recordValue(Math.max(0, d));
        }
        return h;
    }

    static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null;
    }

    /** Reference times are microseconds on an H200: keep six significant digits. */
    static Double roundFine(double v) {
        if (!Double.isFinite(v)) {
            return null;
        }
        if (v == 0) {
            return 0.0;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).doubleValue();
    }


}
