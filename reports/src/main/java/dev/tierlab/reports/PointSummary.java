package dev.tierlab.reports;

import dev.tierlab.reports.stats.Interval;
import dev.tierlab.reports.stats.LogTInterval;
import dev.tierlab.reports.stats.RatioEstimate;
import dev.tierlab.reports.stats.RatioSample;
import dev.tierlab.reports.stats.SampleStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One sweep point's figures for the report: its degradation against baseline on each metric (median
 * of per-pair ratios with a 95% bootstrap interval; see {@link RatioSample}), the reference curve's
 * value there, throughputs with log-scale t intervals, and medians of the rest.
 *
 * @param tgTps emulated decode throughput, geometric mean with its 95% log-scale t interval
 * @param baselineTgTps the same for the point's baseline repeats
 */
public record PointSummary(
        PointData data,
        RatioEstimate decode,
        RatioEstimate tg,
        RatioEstimate pp,
        ReferenceRatio reference,
        Interval tgTps,
        Interval ppTps,
        Interval baselineTgTps,
        double ttftMs,
        double stallMs,
        double fidelity,
        double gcMs,
        Map<String, double[]> tierP99Us) {

    /** The metric the report leads with: per-token decode time when the lines have it, else decode throughput. */
    public Metric primaryMetric() {
        return decode.n() > 0 || tg.n() == 0 ? Metric.DECODE : Metric.TG;
    }

    public RatioEstimate degradation() {
        return primaryMetric() == Metric.DECODE ? decode : tg;
    }

    public RatioEstimate degradation(Metric m) {
        return switch (m) {
            case DECODE -> decode;
            case TG -> tg;
            case PP -> pp;
        };
    }

    public String pointId() {
        return data.pointId();
    }

    public String workloadKey() {
        return data.workloadKey();
    }

    public String label() {
        return data.label();
    }

    /** Pairs, or repeats of the emulated side when unpaired. */
    public int n() {
        return data.paired() ? data.pairs().size() : data.baselinePoint() ? data.baseline().size() : data.emulated().size();
    }

    /** The bootstrap seed of a point and metric: fixed by the point id, so reports are reproducible. */
    static long seed(String pointId, Metric m) {
        return pointId.hashCode() * 1_000_003L + m.ordinal();
    }

    public static List<PointSummary> of(List<PointData> points) {
        List<PointSummary> out = new ArrayList<>();
        for (PointData p : points) {
            List<ResultRecord> own = p.baselinePoint() ? p.baseline() : p.emulated();
            Map<String, double[]> tiers = new LinkedHashMap<>();
            for (ResultRecord r : own) {
                r.tiers().keySet().forEach(t -> tiers.putIfAbsent(t, null));
            }
            tiers.replaceAll((t, v) -> new double[] {
                median(own, r -> tierValue(r, t, ResultRecord.TierFigures::deviceP99Us)),
                median(own, r -> tierValue(r, t, ResultRecord.TierFigures::queueP99Us)),
                median(own, r -> tierValue(r, t, ResultRecord.TierFigures::transferP99Us)),
                median(own, r -> tierValue(r, t, ResultRecord.TierFigures::readP99Us))});
            RatioEstimate decode = estimate(p, Metric.DECODE);
            // The reference on the measured curve's own terms: median per-token time when that is what was measured
            // (tails such as rare stalls move a mean but not a median), else decode throughput.
            ReferenceRatio reference = decode.n() > 0 ? ReferenceRatio.perToken(p) : ReferenceRatio.of(p);
            out.add(new PointSummary(p, decode, estimate(p, Metric.TG), estimate(p, Metric.PP), reference,
                    LogTInterval.of(PointData.values(own, r -> r.host().tgTps())),
                    LogTInterval.of(PointData.values(own, r -> r.host().ppTps())),
                    LogTInterval.of(PointData.values(p.baseline(), r -> r.host().tgTps())),
                    median(own, r -> r.host().ttftMs()), median(own, r -> r.host().stallMs()), median(own, ResultRecord::fidelity),
                    median(own, r -> r.noise().gcTotalMs()), tiers));
        }
        return out;
    }

    private static double tierValue(ResultRecord r, String tier, ToDoubleFunction<ResultRecord.TierFigures> f) {
        ResultRecord.TierFigures t = r.tiers().get(tier);
        return t == null ? Double.NaN : f.applyAsDouble(t);
    }

    private static RatioEstimate estimate(PointData p, Metric m) {
        RatioSample s = p.ratioSample(m);
        return s == null ? RatioEstimate.NONE : s.estimate(seed(p.pointId(), m));
    }

    static double median(List<ResultRecord> rs, ToDoubleFunction<ResultRecord> f) {
        double[] v = rs.stream().mapToDouble(f).filter(Double::isFinite).toArray();
        return v.length == 0 ? Double.NaN : SampleStats.median(v);
    }

    /** A trace-mode point: reference figures only, no host measurement of its own. */
    public boolean traceOnly() {
        return !data.emulated().isEmpty() && data.emulated().stream().allMatch(r -> "trace".equals(r.mode()));
    }
}
