package dev.tierlab.reports;

import static dev.tierlab.reports.ReportBuilder.fmt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tierlab.reports.stats.Interval;
import dev.tierlab.reports.stats.PercentileBootstrap;
import dev.tierlab.reports.stats.RatioEstimate;
import dev.tierlab.reports.stats.TailPercentile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * report.html: one file, no network fetches (plots inline SVG, styles inline). Answer first: the
 * question and a one-sentence answer, then the noise floor, the points, requirements, curves, tails,
 * disturbed repeats and run conditions.
 */
final class HtmlReport {

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1180px;padding:0 1em;color:#222;line-height:1.4}
            table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
            th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;white-space:nowrap}
            th{background:#f3f3f3} td.l,th.l{text-align:left} td.wrap{white-space:normal}
            tr.group td{background:#fafafa;font-weight:600;text-align:left}
            pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:.8em}
            .plot svg{max-width:100%;height:auto} .muted{color:#666;font-size:.9em}
            .answer{border-left:4px solid #2a6;padding:.4em 1em;background:#f4fbf6;font-size:1.1em}
            .question{font-style:italic} .inc{color:#a60} .warn{color:#a00}
            """;

    private HtmlReport() {
    }

    static String render(ReportContent c) throws IOException {
        RunData data = c.data();
        JsonNode env = data.firstEnv();
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>tierlab report</title><style>")
                .append(STYLE).append("</style></head><body>");
        h.append("<h1>tierlab report").append(env == null ? "" : ": " + esc(env.path("scenario").asText())).append("</h1>");

        h.append("<p class=\"question\"><b>Question.</b> ").append(esc(c.headline().question()
                .orElse("(the scenario states no question: add a leading comment or a question: key to scenario.yaml)"))).append("</p>");
        h.append("<p class=\"answer\"><b>Answer.</b> ").append(esc(c.headline().answer())).append("</p>");
        ModelLine.of(data).ifPresent(m -> h.append("<p class=\"model\"><b>Model.</b> ").append(esc(m)).append("</p>"));

        noiseFloor(h, c);
        points(h, c);
        requirements(h, c);
        expertCache(h, c);
        plots(h, c.charts().stream().filter(p -> !p.getFileName().toString().contains("-itl-tail")).toList(), "Curves",
                "Measured: median of per-pair ratios with its 95% interval (bars show the larger half-width). "
                        + "Reference (dashed): the reference system's deterministic timeline model, not a measurement.");
        tails(h, c);
        plots(h, c.charts().stream().filter(p -> p.getFileName().toString().contains("-itl-tail")).toList(), null, null);
        disturbed(h, c);
        failed(h, c);

        h.append("<h2>Run conditions</h2>");
        if (env != null) {
            h.append("<p class=\"muted\">").append(esc(conditions(env))).append("</p>");
        }
        h.append("<details><summary>scenario.yaml</summary><pre>").append(esc(data.scenarioYaml())).append("</pre></details>");
        h.append("<details><summary>env.json</summary><pre>");
        ObjectMapper json = new ObjectMapper();
        for (var e : data.env().entrySet()) {
            h.append(esc(e.getKey())).append(":\n").append(esc(json.writerWithDefaultPrettyPrinter().writeValueAsString(e.getValue()))).append("\n");
        }
        h.append("</pre></details></body></html>\n");
        return h.toString();
    }

    private static void noiseFloor(StringBuilder h, ReportContent c) {
        NoiseFloor n = c.noise();
        h.append("<h2>Noise floor</h2><ul>");
        if (Double.isFinite(n.sentinelMedianGbps())) {
            h.append("<li>Memory-bandwidth sentinel: median ").append(fmt(n.sentinelMedianGbps(), 2)).append(" GB/s");
            if (Double.isFinite(n.sentinelP90Gbps())) {
                h.append(", 10th–90th percentile ").append(fmt(n.sentinelP10Gbps(), 2)).append("–").append(fmt(n.sentinelP90Gbps(), 2)).append(" GB/s");
            } else if (Double.isFinite(n.sentinelP10Gbps())) {
                h.append(", 10th percentile ").append(fmt(n.sentinelP10Gbps(), 2)).append(" GB/s");
            }
            h.append(" (n=").append(n.sentinelN()).append(").</li>");
        } else {
            h.append("<li>Memory-bandwidth sentinel: not recorded (run predates it).</li>");
        }
        for (NoiseFloor.MergeNote m : NoiseFloor.mergeNotes(c.data())) {
            h.append(m.warn() ? "<li class=\"warn\">Merged shards: " : "<li>Merged shards: ").append(esc(m.text())).append("</li>");
        }
        h.append("<li>Disturbed repeats: ").append(n.disturbed().size()).append(" of ").append(c.data().records().size())
                .append(n.disturbed().isEmpty() ? "" : c.options().includeDisturbed() ? ", kept in the curves (--include-disturbed)"
                        : ", left out of the curves, listed below").append(".</li>");
        if (!c.data().failures().isEmpty()) {
            h.append("<li>Failed repeats (worker died or overran its deadline): ").append(c.data().failures().size()).append(", listed below.</li>");
        }
        h.append("<li>Pair-to-pair noise (SD of ln per-pair ratio, ").append(esc(n.metric().key())).append("): ")
                .append(Double.isFinite(n.pairSdLog()) ? fmt(100 * n.pairSdLog(), 2) + "%" : "n/a")
                .append(n.paired() ? "" : " (unpaired run: √2 × per-repeat SD)").append(". ").append(esc(n.powerSentence())).append("</li>");
        if (c.targetPrecision().isPresent()) {
            h.append("<li>Target precision ±").append(fmt(100 * c.targetPrecision().getAsDouble(), 1)).append("%: reached at ")
                    .append(c.pointsAtPrecision()).append(" of ").append(c.pointsWithInterval()).append(" points with an interval.</li>");
        }
        h.append("</ul>");
    }

    private static void points(StringBuilder h, ReportContent c) {
        h.append("<h2>Points</h2><table><tr><th>#</th><th class=l>point</th><th>pairs</th><th>measured vs baseline (95% CI)</th>")
                .append("<th>precision</th><th>reference</th><th>tg tok/s (95% CI)</th><th>per-token p99 ms</th></tr>");
        String workload = null;
        for (PointSummary p : c.points()) {
            if (c.multipleWorkloads() && !p.workloadKey().equals(workload)) {
                workload = p.workloadKey();
                h.append("<tr class=group><td colspan=8>").append(esc(workload)).append("</td></tr>");
            }
            RatioEstimate e = p.degradation();
            String ratio = p.data().baselinePoint() ? "baseline" : RatioText.of(e);
            h.append("<tr><td>").append(p.data().pointIndex() + 1).append("</td><td class=l>").append(esc(p.label()))
                    .append("</td><td>").append(p.n()).append(p.data().paired() || p.data().baselinePoint() ? "" : p.traceOnly() ? " (trace)" : " (unpaired)")
                    .append("</td><td class=\"").append(e.conclusive() || p.data().baselinePoint() ? "" : "inc").append("\">").append(esc(ratio))
                    .append("</td><td>").append(precisionCell(c, e))
                    .append("</td><td>").append(esc(RatioText.reference(p.reference())))
                    .append("</td><td>").append(esc(throughput(p.tgTps())))
                    .append("</td><td>").append(esc(c.ownTail(p).percentile(0.99).text("", 2))).append("</td></tr>");
        }
        h.append("</table><p class=\"muted\">Measured: ").append(esc(measuredNote(c))).append(" Reference: ")
                .append("per pair, in the measured curve's terms (median reference decode step, baseline / emulated, where per-token times were measured; "
                        + "else ref_tg_tps emulated / baseline), median (range), from the reference system's model; "
                        + "v1 runs: the analytical model. tg tok/s: emulated repeats, geometric mean with a t interval on the log scale. "
                        + "Per-token p99: host clock, pooled over repeats, only with n ≥ 100. Every figure per point is in summary.csv.</p>");
    }

    static String measuredNote(ReportContent c) {
        return String.format(Locale.ROOT, "median over pairs of the per-pair ratio (per-token time: baseline median / emulated median; "
                + "else tg_tps emulated / baseline); 95%% percentile-bootstrap interval over pairs (%d resamples, smoothed, log scale, seeded). "
                + "\"inconclusive\" where the interval includes 1 or with fewer than %d pairs. Precision: half-width / ratio.",
                PercentileBootstrap.DEFAULT_RESAMPLES, RatioEstimate.MIN_N);
    }

    private static String precisionCell(ReportContent c, RatioEstimate e) {
        String t = esc(RatioText.precision(e));
        if (c.targetPrecision().isPresent() && Double.isFinite(e.precision()) && e.precision() > c.targetPrecision().getAsDouble()) {
            return "<span class=warn title=\"above the scenario's target\">" + t + "</span>";
        }
        return t;
    }

    static String throughput(Interval i) {
        if (!Double.isFinite(i.estimate())) {
            return "–";
        }
        return i.hasInterval() ? String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", i.estimate(), i.low(), i.high())
                : String.format(Locale.ROOT, "%.2f", i.estimate());
    }

    private static void requirements(StringBuilder h, ReportContent c) {
        h.append("<h2>Requirements</h2>");
        if (c.requirements().isEmpty()) {
            h.append("<p class=\"muted\">No continuous axis with two or more measured points: nothing to invert. "
                    + "Discrete axes (names, modes, prefetch, booleans) are compared point by point above, never interpolated.</p>");
            return;
        }
        h.append("<p class=\"muted\">The weakest setting of a continuous axis that keeps the metric within X of baseline: isotonic "
                + "(monotone) fit of the measured ratios, interpolated between tested values, inverted; 95% interval from resampling "
                + "pairs. Discrete axes are separate rows, never interpolated.</p>");
        h.append("<table><tr><th class=l>workload [facet]</th><th class=l>axis</th><th>within</th><th class=l>measured: must be (95% CI)</th>")
                .append("<th>reference</th></tr>");
        for (Requirements.Row r : c.requirements()) {
            h.append("<tr><td class=l>").append(esc(r.workload() + (r.facet().isEmpty() ? "" : " [" + r.facet() + "]")))
                    .append("</td><td class=l>").append(esc(r.axis().name())).append("</td><td>").append(Requirements.pct(r.targetLoss()))
                    .append("</td><td class=\"l wrap\">").append(esc(r.requirementText())).append("</td><td>")
                    .append(r.reference().present() ? esc(r.boundText(r.reference())) : "–").append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void expertCache(StringBuilder h, ReportContent c) {
        List<ExpertCache.Row> rows = ExpertCache.rows(c.points());
        if (rows.isEmpty()) {
            return;
        }
        h.append("<h2>Expert cache</h2><p class=\"muted\">").append(esc(ExpertCache.NOTE)).append("</p>");
        h.append("<table><tr><th class=l>point</th><th>repeats</th><th>hit rate</th></tr>");
        for (ExpertCache.Row r : rows) {
            h.append("<tr><td class=l>").append(esc(r.point())).append("</td><td>").append(r.repeats()).append("</td><td>")
                    .append(ExpertCache.text(r)).append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void tails(StringBuilder h, ReportContent c) {
        h.append("<h2>Tails</h2><p class=\"muted\">Per-token decode time on the host clock (ms), pooled over repeats: "
                + "the point's baseline repeats (base) beside its emulated repeats (emu). A percentile needs n ≥ 1/(1−q) samples (p99: 100, p99.9: 1000), else n/a; the p99 interval "
                + "(order statistics, binomial, ≥95%) needs n ≥ 300.</p>");
        h.append("<table><tr><th class=l>point</th>");
        for (String side : List.of("baseline", "emulated")) {
            for (double q : LatencyTail.QUANTILES) {
                h.append("<th>").append(side.equals("baseline") ? "base" : "emu").append(" ").append(TailPercentile.labelOf(q)).append("</th>");
            }
        }
        h.append("</tr>");
        for (PointSummary p : c.points()) {
            if (p.data().nGen() == 0 || p.data().baselinePoint()) {
                continue;
            }
            LatencyTail.Sides s = c.tail(p);
            h.append("<tr><td class=\"l wrap\">").append(esc(p.label())).append("</td>");
            for (LatencyTail t : List.of(s.baseline(), s.emulated())) {
                for (double q : LatencyTail.QUANTILES) {
                    h.append("<td>").append(esc(t.percentile(q).text("", 2, q >= 0.99))).append("</td>");
                }
            }
            h.append("</tr>");
        }
        h.append("</table>");
    }

    private static void failed(StringBuilder h, ReportContent c) {
        List<Failure> f = c.data().failures();
        if (f.isEmpty()) {
            return;
        }
        h.append("<h2>Failed repeats</h2><p class=\"muted\">").append(f.size()).append(f.size() == 1 ? " repeat" : " repeats")
                .append(" did not finish: the worker JVM died or overran its deadline; a fresh worker went on.</p>");
        h.append("<table><tr><th class=l>point</th><th class=l>role</th><th>pair</th><th>worker</th><th class=l>what</th>"
                + "<th class=l>hs_err</th><th class=l>where</th></tr>");
        for (Failure x : f) {
            h.append("<tr><td class=l>").append(esc(x.pointId())).append("</td><td class=l>").append(esc(x.role())).append("</td><td>")
                    .append(x.pair() >= 0 ? String.valueOf(x.pair()) : "–").append("</td><td>").append(x.worker()).append("</td><td class=l>")
                    .append(esc(x.what())).append("</td><td class=l>").append(x.hsErr() == null ? "–" : esc(x.hsErr()))
                    .append("</td><td class=l>").append(esc(x.lastLine())).append("<details><summary>worker's last lines</summary><pre>")
                    .append(esc(String.join("\n", x.stderrTail()))).append("</pre></details></td></tr>");
        }
        h.append("</table>");
    }

    private static void disturbed(StringBuilder h, ReportContent c) {
        List<ResultRecord> d = c.noise().disturbed();
        h.append("<h2>Disturbed repeats</h2>");
        if (d.isEmpty()) {
            h.append("<p class=\"muted\">None.</p>");
            return;
        }
        h.append("<table><tr><th class=l>point</th><th class=l>role</th><th>pair</th><th>repeat</th><th>sentinel GB/s</th><th>GC ms</th></tr>");
        for (ResultRecord r : d) {
            h.append("<tr><td class=l>").append(esc(r.pointId())).append("</td><td class=l>").append(r.role().name().toLowerCase(Locale.ROOT))
                    .append("</td><td>").append(r.paired() ? String.valueOf(r.pair()) : "–").append("</td><td>").append(r.repeat())
                    .append("</td><td>").append(fmt(r.noise().sentinelGbps(), 2)).append("</td><td>").append(fmt(r.noise().gcTotalMs(), 1))
                    .append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void plots(StringBuilder h, List<Path> charts, String title, String note) throws IOException {
        if (charts.isEmpty()) {
            return;
        }
        if (title != null) {
            h.append("<h2>").append(title).append("</h2>");
        }
        if (note != null) {
            h.append("<p class=\"muted\">").append(esc(note)).append("</p>");
        }
        for (Path c : charts) {
            String svg = Files.readString(c).replaceFirst("(?s)^<\\?xml.*?\\?>", "").replaceFirst("(?s)<!DOCTYPE[^>]*>", "");
            h.append("<div class=\"plot\">").append(svg).append("</div>");
        }
    }

    /** "cpu, 16 cores, governor performance, kernel 6.1, JVM 25 · tierlab 0.1 abc123 · llama.cpp b1 · start – end", missing parts left out. */
    static String conditions(JsonNode env) {
        List<String> parts = new java.util.ArrayList<>();
        java.util.function.BiConsumer<String, String> add = (prefix, key) -> {
            String v = env.path(key).asText("");
            if (!v.isEmpty()) {
                parts.add(prefix + v);
            }
        };
        add.accept("", "cpu");
        add.accept("cores: ", "cores");
        add.accept("governor ", "governor");
        add.accept("kernel ", "kernel");
        add.accept("", "jvm");
        add.accept("tierlab ", "tierlab_version");
        add.accept("", "tierlab_git_sha");
        add.accept("llama.cpp ", "llama_cpp_build");
        add.accept("threads ", "threads_placement");
        add.accept("from ", "start_time");
        add.accept("to ", "end_time");
        return String.join(", ", parts);
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
