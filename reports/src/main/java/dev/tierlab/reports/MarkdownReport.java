package dev.tierlab.reports;

import static dev.tierlab.reports.ReportBuilder.fmt;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/** report.md: the summary table, requirement table and links to the plots. */
final class MarkdownReport {

    private MarkdownReport() {
    }

    static String render(RunData data, List<PointSummary> points, List<Requirements.Row> requirements, List<Path> charts, Path outDir) {
        StringBuilder sb = new StringBuilder();
        JsonNode env = data.env().values().stream().findFirst().orElse(null);
        sb.append("# tierlab report: ").append(env == null ? "run" : env.path("scenario").asText()).append("\n\n");
        if (env != null) {
            sb.append("Machine: ").append(env.path("cpu").asText()).append(", ").append(env.path("cores").asText())
                    .append(" cores, kernel ").append(env.path("kernel").asText()).append(", ").append(env.path("jvm").asText())
                    .append(". tierlab ").append(env.path("tierlab_version").asText()).append(" (").append(env.path("tierlab_git_sha").asText())
                    .append("), llama.cpp ").append(env.path("llama_cpp_build").asText()).append(".\n\n");
        }
        sb.append("## Points\n\n");
        sb.append("| # | workload | point | repeats | pp t/s | tg t/s (95% CI) | tg vs baseline (95% CI) | model | step ms (measured / modelled) | TTFT ms | ITL p99 ms |\n");
        sb.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PointSummary p : points) {
            sb.append("| ").append(p.pointIndex() + 1).append(" | ").append(p.workloadKey()).append(" | ").append(p.label())
                    .append(" | ").append(Math.max(p.pp().n(), p.tg().n()))
                    .append(" | ").append(fmt(p.pp().mean(), 1))
                    .append(" | ").append(fmt(p.tg().mean(), 2)).append(ci(p.tg().ci95Low(), p.tg().ci95High(), 2))
                    .append(" | ").append(fmt(p.tgRelative().value(), 3)).append(ci(p.tgRelative().low(), p.tgRelative().high(), 3))
                    .append(" | ").append(fmt(p.modelledTgRelative(), 3))
                    .append(" | ").append(fmt(p.measuredStepMs(), 2)).append(" / ").append(fmt(p.modelledStepMs(), 2))
                    .append(" | ").append(fmt(p.ttft().mean(), 1))
                    .append(" | ").append(fmt(p.itlP99Ms(), 2)).append(" |\n");
        }
        if (!requirements.isEmpty()) {
            sb.append("\n## Requirements\n\n");
            sb.append("| workload | to keep decode within | axis | must be | measured | model | tier read p99 there |\n");
            sb.append("|---|---:|---|---|---:|---:|---:|\n");
            for (Requirements.Row r : requirements) {
                sb.append("| ").append(r.workload()).append(r.others().isEmpty() ? "" : " [" + r.others() + "]")
                        .append(" | ").append(fmt(100 * r.targetDegradation(), 0)).append("% of baseline | ").append(r.axis())
                        .append(" | ").append(r.direction())
                        .append(" | ").append(r.measured().isPresent() ? AxisValue.format(r.measured().getAsDouble(), r.unit()) : r.note())
                        .append(" | ").append(r.modelled().isPresent() ? AxisValue.format(r.modelled().getAsDouble(), r.unit()) : "-")
                        .append(" | ").append(Double.isFinite(r.p99LatencyUsAtThreshold()) ? fmt(r.p99LatencyUsAtThreshold(), 1) + " us" : "-")
                        .append(" |\n");
            }
        }
        if (!charts.isEmpty()) {
            sb.append("\n## Plots\n\n");
            for (Path c : charts) {
                String rel = outDir.relativize(c).toString();
                sb.append("![").append(c.getFileName()).append("](").append(rel.replaceFirst("\\.svg$", ".png")).append(")\n\n");
            }
        }
        return sb.toString();
    }

    private static String ci(double lo, double hi, int d) {
        return Double.isFinite(lo) && Double.isFinite(hi) ? " (" + fmt(lo, d) + "–" + fmt(hi, d) + ")" : "";
    }
}
