package dev.tierlab.reports;

import static dev.tierlab.reports.ReportBuilder.fmt;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** report.html: one file, no network fetches — plots are inline SVG, styles inline. */
final class HtmlReport {

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
            table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
            th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
            th{background:#f3f3f3} td.l,th.l{text-align:left}
            pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:0.8em}
            .plot svg{max-width:100%;height:auto} .muted{color:#777}
            """;

    private HtmlReport() {
    }

    static String render(RunData data, List<PointSummary> points, List<Requirements.Row> requirements, List<Path> charts)
            throws IOException {
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>tierlab report</title><style>")
                .append(STYLE).append("</style></head><body>");
        var env = data.env().values().stream().findFirst().orElse(null);
        h.append("<h1>tierlab report").append(env == null ? "" : ": " + esc(env.path("scenario").asText())).append("</h1>");
        if (env != null) {
            h.append("<p class=\"muted\">").append(esc(env.path("cpu").asText())).append(", ").append(env.path("cores").asText())
                    .append(" cores, governor ").append(esc(env.path("governor").asText())).append(", kernel ")
                    .append(esc(env.path("kernel").asText())).append(", ").append(esc(env.path("jvm").asText()))
                    .append(" · tierlab ").append(esc(env.path("tierlab_version").asText())).append(" ")
                    .append(esc(env.path("tierlab_git_sha").asText())).append(" · llama.cpp ").append(esc(env.path("llama_cpp_build").asText()))
                    .append(" · ").append(esc(env.path("start_time").asText())).append(" – ").append(esc(env.path("end_time").asText()))
                    .append("</p>");
        }
        h.append("<h2>Points</h2><table><tr><th>#</th><th class=l>workload</th><th class=l>point</th><th>repeats</th>")
                .append("<th>pp t/s</th><th>tg t/s</th><th>tg 95% CI</th><th>tg vs baseline</th><th>95% CI</th><th>model</th>")
                .append("<th>step ms measured</th><th>modelled</th><th>stall ms</th><th>TTFT ms</th><th>ITL p99 ms</th></tr>");
        for (PointSummary p : points) {
            h.append("<tr><td>").append(p.pointIndex() + 1).append("</td><td class=l>").append(esc(p.workloadKey()))
                    .append("</td><td class=l>").append(esc(p.label())).append("</td><td>").append(Math.max(p.pp().n(), p.tg().n()))
                    .append("</td><td>").append(fmt(p.pp().mean(), 1)).append("</td><td>").append(fmt(p.tg().mean(), 2))
                    .append("</td><td>").append(fmt(p.tg().ci95Low(), 2)).append("–").append(fmt(p.tg().ci95High(), 2))
                    .append("</td><td>").append(fmt(p.tgRelative().value(), 3)).append("</td><td>").append(fmt(p.tgRelative().low(), 3))
                    .append("–").append(fmt(p.tgRelative().high(), 3)).append("</td><td>").append(fmt(p.modelledTgRelative(), 3))
                    .append("</td><td>").append(fmt(p.measuredStepMs(), 2)).append("</td><td>").append(fmt(p.modelledStepMs(), 2))
                    .append("</td><td>").append(fmt(p.stallMs(), 1)).append("</td><td>").append(fmt(p.ttft().mean(), 1))
                    .append("</td><td>").append(fmt(p.itlP99Ms(), 2)).append("</td></tr>");
        }
        h.append("</table>");
        if (!requirements.isEmpty()) {
            h.append("<h2>Requirements</h2><p>The weakest tier setting that keeps decode throughput within X% of the baseline, ")
                    .append("interpolated on the measured curve, and on the analytical model as a cross-check.</p>")
                    .append("<table><tr><th class=l>workload</th><th>within</th><th class=l>axis</th><th class=l>must be</th>")
                    .append("<th>measured</th><th>model</th><th>tier read p99 there</th></tr>");
            for (Requirements.Row r : requirements) {
                h.append("<tr><td class=l>").append(esc(r.workload() + (r.others().isEmpty() ? "" : " [" + r.others() + "]")))
                        .append("</td><td>").append(fmt(100 * r.targetDegradation(), 0)).append("%</td><td class=l>").append(esc(r.axis()))
                        .append("</td><td class=l>").append(r.direction()).append("</td><td>")
                        .append(r.measured().isPresent() ? esc(AxisValue.format(r.measured().getAsDouble(), r.unit())) : esc(r.note()))
                        .append("</td><td>").append(r.modelled().isPresent() ? esc(AxisValue.format(r.modelled().getAsDouble(), r.unit())) : "–")
                        .append("</td><td>").append(Double.isFinite(r.p99LatencyUsAtThreshold()) ? fmt(r.p99LatencyUsAtThreshold(), 1) + " us" : "–")
                        .append("</td></tr>");
            }
            h.append("</table>");
        }
        if (!charts.isEmpty()) {
            h.append("<h2>Plots</h2>");
            for (Path c : charts) {
                String svg = Files.readString(c).replaceFirst("(?s)^<\\?xml.*?\\?>", "").replaceFirst("(?s)<!DOCTYPE[^>]*>", "");
                h.append("<div class=\"plot\">").append(svg).append("</div>");
            }
        }
        h.append("<h2>Scenario</h2><pre>").append(esc(data.scenarioYaml())).append("</pre>");
        h.append("<h2>Run conditions</h2><pre>");
        ObjectMapper json = new ObjectMapper();
        for (var e : data.env().entrySet()) {
            h.append(esc(e.getKey())).append(":\n").append(esc(json.writerWithDefaultPrettyPrinter().writeValueAsString(e.getValue()))).append("\n");
        }
        h.append("</pre></body></html>\n");
        return h.toString();
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
