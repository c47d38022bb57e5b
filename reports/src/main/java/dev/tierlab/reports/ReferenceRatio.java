package dev.tierlab.reports;

import dev.tierlab.reports.stats.SampleStats;
import java.util.Arrays;

/**
 * The reference curve at one point: what the deterministic model of the reference system predicts,
 * ref_tg_tps(emulated) / ref_tg_tps(baseline) per pair, as the median over pairs with the range they
 * span (a model, not a measurement: no confidence interval). Runs without reference figures (v1) fall
 * back to the analytical model: median baseline measured step / median emulated modelled step.
 *
 * @param source what the numbers come from, for the report's legend
 */
public record ReferenceRatio(double median, double min, double max, int n, String source) {

    public static final ReferenceRatio NONE = new ReferenceRatio(Double.NaN, Double.NaN, Double.NaN, 0, "");

    public boolean present() {
        return Double.isFinite(median);
    }

    /**
     * The reference ratio in median per-token time, per pair: baseline ref_step_ms / emulated
     * ref_step_ms (the median decode step of each reference timeline), to sit beside a measured
     * curve of median per-token times. Falls back to {@link #of} when the lines carry no step.
     */
    public static ReferenceRatio perToken(PointData p) {
        if (p.baselinePoint()) {
            return NONE;
        }
        double[] perPair = p.pairs().stream().mapToDouble(x -> x.baseline().reference().stepMs() / x.emulated().reference().stepMs())
                .filter(v -> v > 0 && Double.isFinite(v)).toArray();
        return perPair.length == 0 ? of(p) : spread(perPair, p.pairs().getFirst().emulated(), ", median per-token time");
    }

    /** Median and range of per-pair (or per-line) ratios, named after the line's reference. */
    private static ReferenceRatio spread(double[] ratios, ResultRecord line, String what) {
        String name = line.reference().name();
        return new ReferenceRatio(SampleStats.median(ratios), Arrays.stream(ratios).min().orElseThrow(),
                Arrays.stream(ratios).max().orElseThrow(), ratios.length, (name.isEmpty() ? "reference" : "reference " + name) + what);
    }

    public static ReferenceRatio of(PointData p) {
        if (p.baselinePoint()) {
            return NONE;
        }
        double[] perPair = p.pairs().stream().mapToDouble(x -> x.emulated().reference().tgTps() / x.baseline().reference().tgTps())
                .filter(v -> v > 0 && Double.isFinite(v)).toArray();
        if (perPair.length > 0) {
            return spread(perPair, p.pairs().getFirst().emulated(), "");
        }
        // Trace mode: each emulated line carries its own ratio against the all-on-top timeline of the same trace.
        double[] lineRatios = PointData.values(p.emulated(), r -> r.reference().tgRatio());
        if (lineRatios.length > 0) {
            return spread(lineRatios, p.emulated().getFirst(), "");
        }
        double[] refE = PointData.values(p.emulated(), r -> r.reference().tgTps());
        double[] refB = PointData.values(p.baseline(), r -> r.reference().tgTps());
        if (refE.length > 0 && refB.length > 0) {
            double r = SampleStats.median(refE) / SampleStats.median(refB);
            return new ReferenceRatio(r, r, r, Math.min(refE.length, refB.length), "reference");
        }
        double[] baseStep = PointData.values(p.baseline(), r -> r.host().measuredStepMs());
        double[] modelled = PointData.values(p.emulated(), r -> r.host().modelledStepMs());
        if (baseStep.length > 0 && modelled.length > 0) {
            double r = SampleStats.median(baseStep) / SampleStats.median(modelled);
            return new ReferenceRatio(r, r, r, modelled.length, "analytical model");
        }
        return NONE;
    }
}
