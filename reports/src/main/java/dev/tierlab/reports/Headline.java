package dev.tierlab.reports;

import dev.tierlab.reports.stats.RatioEstimate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The report's opening: the scenario's question and a one-sentence answer with its interval. The
 * answer is the requirement at the scenario's first target, else 10% (or the first target), of the first curve when the run
 * swept a continuous axis, else the degradation at the worst point.
 */
public record Headline(Optional<String> question, String answer) {

    /** With the loss target the answer is about (the first of the scenario's or the user's targets). */
    public static Headline of(String scenarioYaml, List<PointSummary> points, List<Requirements.Row> requirements, double target) {
        return new Headline(ScenarioText.question(scenarioYaml), answer(points, requirements, target));
    }

    static String answer(List<PointSummary> points, List<Requirements.Row> requirements) {
        return answer(points, requirements, 0.10);
    }

    static String answer(List<PointSummary> points, List<Requirements.Row> requirements, double target) {
        if (!requirements.isEmpty()) {
            Requirements.Row first = requirements.getFirst();
            Requirements.Row r = requirements.stream().filter(x -> x.workload().equals(first.workload())
                    && x.facet().equals(first.facet()) && x.axis().name().equals(first.axis().name()) && Math.abs(x.targetLoss() - target) < 1e-9)
                    .findFirst().orElse(first);
            long curves = requirements.stream().map(x -> x.workload() + "|" + x.facet() + "|" + x.axis().name()).distinct().count();
            String where = r.workload() + (r.facet().isEmpty() ? "" : " [" + r.facet() + "]");
            String ci = !r.intervalText().isEmpty() ? " (95% CI " + r.intervalText() + ")"
                    : r.enoughPairs() ? "" : " (indicative only: a point has fewer than " + RatioEstimate.MIN_N + " pairs, so no interval)";
            if (!r.estimate().present() && r.reference().present()) {
                return "No host measurement (reference model only): to keep " + r.metric().description() + " within "
                        + Requirements.pct(r.targetLoss()) + " of baseline on " + where + ", the reference model puts " + r.axis().name() + " at "
                        + r.boundText(r.reference()) + (curves > 1 ? "; " + (curves - 1) + " more curve(s) in the requirement table." : ".");
            }
            String est = r.estimate().censored() == 0 ? r.axis().name() + " must be " + r.direction() + " " + r.axis().format(r.estimate().value()) + ci
                    : r.axis().name() + ": " + r.boundText(r.estimate()) + ci;
            return "To keep " + r.metric().description() + " within " + Requirements.pct(r.targetLoss()) + " of baseline on " + where + ", "
                    + est + (curves > 1 ? "; " + (curves - 1) + " more curve(s) in the requirement table." : ".");
        }
        Optional<PointSummary> worst = points.stream().filter(p -> !p.data().baselinePoint() && p.degradation().n() > 0
                && Double.isFinite(p.degradation().ratio().estimate())).min(Comparator.comparingDouble(p -> p.degradation().ratio().estimate()));
        if (worst.isEmpty()) {
            Optional<PointSummary> slowest = points.stream().filter(p -> !p.data().baselinePoint() && p.reference().present())
                    .min(Comparator.comparingDouble(p -> p.reference().median()));
            if (slowest.isEmpty()) {
                return "No point has a host measurement or a reference figure to answer with.";
            }
            PointSummary p = slowest.get();
            double r = p.reference().median();
            return String.format(Locale.ROOT, "No host measurement (reference model only): at the slowest point, %s, the %s puts decode "
                    + "throughput at %s× baseline: %.0f%% %s.", p.label(), p.reference().source(), RatioText.f3(r), 100 * Math.abs(1 - r),
                    r < 1 ? "slower" : "faster");
        }
        PointSummary p = worst.get();
        RatioEstimate e = p.degradation();
        String what = p.primaryMetric().description();
        if (!e.enoughSamples()) {
            return String.format(Locale.ROOT, "Not answerable yet: the slowest point, %s, has %d %s; a conclusive ratio needs at least %d.",
                    p.label(), e.n(), e.paired() ? "pairs" : "repeats", RatioEstimate.MIN_N);
        }
        if (!e.conclusive()) {
            return String.format(Locale.ROOT, "No point is measurably different from baseline: at the slowest, %s, %s is %s× baseline "
                    + "with a 95%% CI of %s–%s, which includes no change.", p.label(), what, RatioText.f3(e.ratio().estimate()),
                    RatioText.f3(e.ratio().low()), RatioText.f3(e.ratio().high()));
        }
        return String.format(Locale.ROOT, "At the slowest point, %s, %s is %s× baseline (95%% CI %s–%s): %.0f%% %s.", p.label(), what,
                RatioText.f3(e.ratio().estimate()), RatioText.f3(e.ratio().low()), RatioText.f3(e.ratio().high()),
                100 * Math.abs(1 - e.ratio().estimate()), e.ratio().estimate() < 1 ? "slower" : "faster");
    }
}
