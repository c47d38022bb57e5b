package dev.tierlab.reports;

import static dev.tierlab.reports.ReportBuilder.fmt;

import java.util.List;
import java.util.stream.Collectors;

/** summary.csv: one row per sweep point, means, standard deviations, 95% CIs and degradation. */
final class SummaryCsv {

    static final String HEADER = "point_index,point_id,baseline,axes,n_prompt,n_gen,n_depth,repeats,"
            + "pp_tps_mean,pp_tps_sd,pp_tps_ci95_low,pp_tps_ci95_high,tg_tps_mean,tg_tps_sd,tg_tps_ci95_low,tg_tps_ci95_high,"
            + "ttft_ms_mean,itl_p99_ms,stall_ms,measured_step_ms,modelled_step_ms,model_error,"
            + "pp_rel,pp_rel_ci95_low,pp_rel_ci95_high,tg_rel,tg_rel_ci95_low,tg_rel_ci95_high,tg_rel_modelled,tg_degradation_pct";

    private SummaryCsv() {
    }

    static String render(List<PointSummary> points) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (PointSummary p : points) {
            String axes = p.axes().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
            sb.append(String.join(",", String.valueOf(p.pointIndex()), quote(p.pointId()), String.valueOf(p.baseline()), quote(axes),
                    String.valueOf(p.nPrompt()), String.valueOf(p.nGen()), String.valueOf(p.nDepth()), String.valueOf(Math.max(p.pp().n(), p.tg().n())),
                    fmt(p.pp().mean(), 4), fmt(p.pp().stddev(), 4), fmt(p.pp().ci95Low(), 4), fmt(p.pp().ci95High(), 4),
                    fmt(p.tg().mean(), 4), fmt(p.tg().stddev(), 4), fmt(p.tg().ci95Low(), 4), fmt(p.tg().ci95High(), 4),
                    fmt(p.ttft().mean(), 4), fmt(p.itlP99Ms(), 4), fmt(p.stallMs(), 4), fmt(p.measuredStepMs(), 4),
                    fmt(p.modelledStepMs(), 4), fmt(p.measuredStepMs() / p.modelledStepMs() - 1, 4),
                    fmt(p.ppRelative().value(), 4), fmt(p.ppRelative().low(), 4), fmt(p.ppRelative().high(), 4),
                    fmt(p.tgRelative().value(), 4), fmt(p.tgRelative().low(), 4), fmt(p.tgRelative().high(), 4),
                    fmt(p.modelledTgRelative(), 4), fmt(100 * (1 - p.tgRelative().value()), 2))).append('\n');
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
