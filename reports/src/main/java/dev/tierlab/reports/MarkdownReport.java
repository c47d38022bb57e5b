package dev.tierlab.reports;

import static dev.tierlab.reports.ReportBuilder.fmt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tierlab.reports.stats.RatioEstimate;
import dev.tierlab.reports.stats.TailPercentile;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** report.md: the same answer-first structure as report.html, with links to the PNG plots. */
final class MarkdownReport {

    private MarkdownReport() {
    }

    static String render(ReportContent c, Path outDir) {
        StringBuilder sb = new StringBuilder();
        JsonNode env = c.data().firstEnv();
        sb.append("# tierlab report: ").append(env == null ? "run" : env.path("scenario").asText()).append("\n\n");
        sb.append("**Question.** ").append(c.headline().question()
                .orElse("(the scenario states no question: add a leading comment or a question: key to scenario.yaml)")).append("\n\n");
        sb.append("**Answer.** ").append(c.headline().answer()).append("\n\n");
        ModelLine.of(c.data()).ifPresent(m -> sb.append("**Model.** ").append(m).append("\n\n"));

        NoiseFloor n = c.noise();
        sb.append("## Noise floor\n\n");
        if (Double.isFinite(n.sentinelMedianGbps())) {
            sb.append("- Memory-bandwidth sentinel: median ").append(fmt(n.sentinelMedianGbps(), 2)).append(" GB/s");
            if (Double.isFinite(n.sentinelP90Gbps())) {
                sb.append(", 10th–90th percentile ").append(fmt(n.sentinelP10Gbps(), 2)).append("–").append(fmt(n.sentinelP90Gbps(), 2)).append(" GB/s");
            }
            sb.append(" (n=").append(n.sentinelN()).append(").\n");
        } else {
            sb.append("- Memory-bandwidth sentinel: not recorded (run predates it).\n");
        }
        for (NoiseFloor.MergeNote m : NoiseFloor.mergeNotes(c.data())) {
            sb.append(m.warn() ? "- **Merged shards, warning:** " : "- Merged shards: ").append(m.text()).append("\n");
        }
        sb.append("- Disturbed repeats: ").append(n.disturbed().size()).append(" of ").append(c.data().records().size())
                .append(n.disturbed().isEmpty() ? "" : c.options().includeDisturbed() ? ", kept in the curves" : ", left out of the curves, listed below")
                .append(".\n");
        if (!c.data().failures().isEmpty()) {
            sb.append("- Failed repeats (worker died or overran its deadline): ").append(c.data().failures().size()).append(", listed below.\n");
        }
        sb.append("- Pair-to-pair noise (SD of ln per-pair ratio, ").append(n.metric().key()).append("): ")
                .append(Double.isFinite(n.pairSdLog()) ? fmt(100 * n.pairSdLog(), 2) + "%" : "n/a")
                .append(n.paired() ? "" : " (unpaired run: √2 × per-repeat SD)").append(". ").append(n.powerSentence()).append("\n");
        if (c.targetPrecision().isPresent()) {
            sb.append("- Target precision ±").append(fmt(100 * c.targetPrecision().getAsDouble(), 1)).append("%: reached at ")
                    .append(c.pointsAtPrecision()).append(" of ").append(c.pointsWithInterval()).append(" points with an interval.\n");
        }

        sb.append("\n## Points\n\n");
        sb.append("| # | point | pairs | measured vs baseline (95% CI) | precision | reference | tg tok/s (95% CI) | per-token p99 ms |\n");
        sb.append("|---:|---|---:|---|---:|---:|---:|---:|\n");
        String workload = null;
        for (PointSummary p : c.points()) {
            if (c.multipleWorkloads() && !p.workloadKey().equals(workload)) {
                workload = p.workloadKey();
                sb.append("| | **").append(cell(workload)).append("** | | | | | | |\n");
            }
            RatioEstimate e = p.degradation();
            sb.append("| ").append(p.data().pointIndex() + 1).append(" | ").append(cell(p.label()))
                    .append(" | ").append(p.n()).append(p.data().paired() || p.data().baselinePoint() ? "" : p.traceOnly() ? " (trace)" : " (unpaired)")
                    .append(" | ").append(p.data().baselinePoint() ? "baseline" : cell(RatioText.of(e)))
                    .append(" | ").append(RatioText.precision(e))
                    .append(" | ").append(RatioText.reference(p.reference()))
                    .append(" | ").append(HtmlReport.throughput(p.tgTps()))
                    .append(" | ").append(c.ownTail(p).percentile(0.99).text("", 2)).append(" |\n");
        }
        sb.append("\nMeasured: ").append(HtmlReport.measuredNote(c)).append(" Reference: the reference system's model ")
                .append("(per pair, in the measured curve's terms: the median reference decode step, baseline / emulated, where per-token times were measured, else ref_tg_tps emulated / baseline; median and range); v1 runs: the analytical model. ")
                .append("Every figure per point is in summary.csv.\n");

        sb.append("\n## Requirements\n\n");
        if (c.requirements().isEmpty()) {
            sb.append("No continuous axis with two or more measured points: nothing to invert. Discrete axes are compared point by point.\n");
        } else {
            sb.append("Isotonic (monotone) fit of the measured ratios, interpolated between tested values and inverted; 95% interval from "
                    + "resampling pairs. Discrete axes are separate rows, never interpolated.\n\n");
            sb.append("| workload [facet] | axis | to keep decode within | measured: must be (95% CI) | reference |\n");
            sb.append("|---|---|---:|---|---|\n");
            for (Requirements.Row r : c.requirements()) {
                sb.append("| ").append(cell(r.workload() + (r.facet().isEmpty() ? "" : " [" + r.facet() + "]")))
                        .append(" | ").append(cell(r.axis().name())).append(" | ").append(Requirements.pct(r.targetLoss()))
                        .append(" | ").append(cell(r.requirementText()))
                        .append(" | ").append(r.reference().present() ? cell(r.boundText(r.reference())) : "-").append(" |\n");
            }
        }

        List<ExpertCache.Row> cache = ExpertCache.rows(c.points());
        if (!cache.isEmpty()) {
            sb.append("\n## Expert cache\n\n").append(ExpertCache.NOTE).append("\n\n| point | repeats | hit rate |\n|---|---:|---:|\n");
            for (ExpertCache.Row r : cache) {
                sb.append("| ").append(cell(r.point())).append(" | ").append(r.repeats()).append(" | ").append(ExpertCache.text(r)).append(" |\n");
            }
        }

        sb.append("\n## Tails\n\nPer-token decode time on the host clock (ms), pooled over repeats. A percentile needs n ≥ 1/(1−q) "
                + "samples (p99: 100, p99.9: 1000), else n/a; the p99 interval needs n ≥ 300.\n\n");
        sb.append("| point |");
        for (String side : List.of("baseline", "emulated")) {
            for (double q : LatencyTail.QUANTILES) {
                sb.append(" ").append(side).append(" ").append(TailPercentile.labelOf(q)).append(" |");
            }
        }
        sb.append("\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (PointSummary p : c.points()) {
            if (p.data().nGen() == 0 || p.data().baselinePoint()) {
                continue;
            }
            LatencyTail.Sides s = c.tail(p);
            sb.append("| ").append(cell(p.label())).append(" |");
            for (LatencyTail t : List.of(s.baseline(), s.emulated())) {
                for (double q : LatencyTail.QUANTILES) {
                    sb.append(" ").append(t.percentile(q).text("", 2, q >= 0.99)).append(" |");
                }
            }
            sb.append("\n");
        }

        if (!c.charts().isEmpty()) {
            sb.append("\n## Plots\n\n");
            for (Path ch : c.charts()) {
                String rel = outDir.relativize(ch).toString();
                sb.append("![").append(ch.getFileName()).append("](").append(rel.replaceFirst("\\.svg$", ".png")).append(")\n\n");
            }
        }
        if (!n.disturbed().isEmpty()) {
            sb.append("\n## Disturbed repeats\n\n| point | role | pair | repeat | sentinel GB/s | GC ms |\n|---|---|---:|---:|---:|---:|\n");
            for (ResultRecord r : n.disturbed()) {
                sb.append("| ").append(cell(r.pointId())).append(" | ").append(r.role().name().toLowerCase(Locale.ROOT)).append(" | ")
                        .append(r.paired() ? String.valueOf(r.pair()) : "-").append(" | ").append(r.repeat()).append(" | ")
                        .append(fmt(r.noise().sentinelGbps(), 2)).append(" | ").append(fmt(r.noise().gcTotalMs(), 1)).append(" |\n");
            }
        }
        List<Failure> failed = c.data().failures();
        if (!failed.isEmpty()) {
            sb.append("\n## Failed repeats\n\n").append(failed.size()).append(failed.size() == 1 ? " repeat" : " repeats")
                    .append(" did not finish: the worker JVM died or overran its deadline; a fresh worker went on.\n\n")
                    .append("| point | role | pair | worker | what | hs_err | where |\n|---|---|---:|---:|---|---|---|\n");
            for (Failure f : failed) {
                sb.append("| ").append(cell(f.pointId())).append(" | ").append(f.role()).append(" | ").append(f.pair() >= 0 ? String.valueOf(f.pair()) : "-")
                        .append(" | ").append(f.worker()).append(" | ").append(cell(f.what())).append(" | ")
                        .append(f.hsErr() == null ? "-" : cell(f.hsErr())).append(" | ").append(cell(f.lastLine())).append(" |\n");
            }
        }
        if (env != null) {
            sb.append("\n## Run conditions\n\n").append(HtmlReport.conditions(env)).append(".\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }
}
