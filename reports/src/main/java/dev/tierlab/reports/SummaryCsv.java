package dev.tierlab.reports;

import static dev.tierlab.reports.ReportBuilder.fmt;

import dev.tierlab.reports.stats.Interval;
import dev.tierlab.reports.stats.RatioEstimate;
import dev.tierlab.reports.stats.TailPercentile;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * summary.csv: one row per sweep point with every figure the report has, the wide detail the
 * report's table leaves out. Ratios are emulated vs baseline (below 1 = slower) with their 95%
 * intervals and a verdict column (conclusive, inconclusive, too_few, none); throughputs are geometric
 * means with log-scale t intervals; latency percentiles are empty where the sample is too small
 * ({@link TailPercentile}); tier latency columns are medians over repeats, in microseconds.
 */
final class SummaryCsv {

    private SummaryCsv() {
    }

    static List<String> header(Set<String> tiers) {
        List<String> h = new ArrayList<>(List.of("point_index", "point_id", "workload", "point", "axes", "n_prompt", "n_gen", "n_depth",
                "paired", "n"));
        for (Metric m : Metric.values()) {
            String k = m.key();
            h.addAll(List.of(k + "_ratio", k + "_ci95_low", k + "_ci95_high", k + "_precision", k + "_verdict", k + "_sd_log"));
        }
        h.addAll(List.of("ref_ratio", "ref_min", "ref_max", "ref_source",
                "tg_tps_gmean", "tg_tps_ci95_low", "tg_tps_ci95_high", "pp_tps_gmean", "pp_tps_ci95_low", "pp_tps_ci95_high",
                "baseline_tg_tps_gmean", "baseline_tg_tps_ci95_low", "baseline_tg_tps_ci95_high",
                "ttft_ms_median", "stall_ms_median", "fidelity_median", "gc_ms_median", "disturbed_lines",
                "itl_n", "itl_p50_ms", "itl_p99_ms", "itl_p99_ci95_low", "itl_p99_ci95_high", "itl_p999_ms",
                "baseline_itl_n", "baseline_itl_p50_ms", "baseline_itl_p99_ms", "baseline_itl_p999_ms"));
        for (String t : tiers) {
            h.addAll(List.of("tier_" + t + "_device_p99_us", "tier_" + t + "_queue_p99_us", "tier_" + t + "_transfer_p99_us",
                    "tier_" + t + "_read_p99_us"));
        }
        return h;
    }

    static String render(ReportContent c) {
        Set<String> tiers = new LinkedHashSet<>();
        c.points().forEach(p -> tiers.addAll(p.tierP99Us().keySet()));
        Map<String, Long> disturbed = c.data().disturbed().stream().collect(Collectors.groupingBy(ResultRecord::pointId, Collectors.counting()));
        StringBuilder sb = new StringBuilder(String.join(",", header(tiers))).append('\n');
        for (PointSummary p : c.points()) {
            PointData d = p.data();
            List<String> row = new ArrayList<>(List.of(String.valueOf(d.pointIndex()), quote(d.pointId()), quote(d.workloadKey()),
                    quote(d.label()), quote(d.axes().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"))),
                    String.valueOf(d.nPrompt()), String.valueOf(d.nGen()), String.valueOf(d.nDepth()), String.valueOf(d.paired()),
                    String.valueOf(p.n())));
            for (Metric m : Metric.values()) {
                RatioEstimate e = p.degradation(m);
                row.addAll(List.of(fmt(e.ratio().estimate(), 5), fmt(e.ratio().low(), 5), fmt(e.ratio().high(), 5), fmt(e.precision(), 5),
                        RatioText.verdict(e), fmt(e.sdLog(), 5)));
            }
            ReferenceRatio r = p.reference();
            row.addAll(List.of(fmt(r.median(), 5), fmt(r.min(), 5), fmt(r.max(), 5), quote(r.source())));
            interval(row, p.tgTps(), 4);
            interval(row, p.ppTps(), 4);
            interval(row, p.baselineTgTps(), 4);
            row.addAll(List.of(fmt(p.ttftMs(), 4), fmt(p.stallMs(), 4), fmt(p.fidelity(), 4), fmt(p.gcMs(), 4),
                    String.valueOf(disturbed.getOrDefault(d.pointId(), 0L))));
            LatencyTail own = c.ownTail(p);
            TailPercentile p99 = own.percentile(0.99);
            row.addAll(List.of(String.valueOf(own.n()), own.percentile(0.5).csvValue(4), p99.csvValue(4),
                    p99.hasInterval() ? fmt(p99.ciLow(), 4) : "", p99.hasInterval() ? fmt(p99.ciHigh(), 4) : "",
                    own.percentile(0.999).csvValue(4)));
            LatencyTail base = c.tail(p).baseline();
            row.addAll(List.of(String.valueOf(base.n()), base.percentile(0.5).csvValue(4), base.percentile(0.99).csvValue(4),
                    base.percentile(0.999).csvValue(4)));
            for (String t : tiers) {
                double[] v = p.tierP99Us().get(t);
                for (int i = 0; i < 4; i++) {
                    row.add(v == null ? "" : fmt(v[i], 3));
                }
            }
            sb.append(String.join(",", row)).append('\n');
        }
        return sb.toString();
    }

    private static void interval(List<String> row, Interval i, int d) {
        row.addAll(List.of(fmt(i.estimate(), d), fmt(i.low(), d), fmt(i.high(), d)));
    }

    static String quote(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"").replace("\n", " ") + "\"" : s;
    }
}
