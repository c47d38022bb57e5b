package dev.tierlab.reports;

import dev.tierlab.reports.stats.SampleStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * One sweep point over its repeats: throughput statistics and the degradation against the baseline
 * of the same workload, tg_rel = tg / tg_baseline with a 95% CI by the delta method.
 */
public record PointSummary(
        String pointId,
        int pointIndex,
        boolean baseline,
        Map<String, String> axes,
        int nPrompt,
        int nGen,
        int nDepth,
        SampleStats pp,
        SampleStats tg,
        SampleStats ttft,
        double itlP99Ms,
        double stallMs,
        double measuredStepMs,
        double modelledStepMs,
        Map<String, Double> tierReadP99Us,
        Ratio ppRelative,
        Ratio tgRelative,
        double modelledTgRelative) {

    /** A ratio to the baseline with its 95% confidence interval. */
    public record Ratio(double value, double low, double high) {
        static final Ratio NONE = new Ratio(Double.NaN, Double.NaN, Double.NaN);
    }

    public String workloadKey() {
        int slash = pointId.indexOf('/');
        return slash < 0 ? pointId : pointId.substring(0, slash);
    }

    public String label() {
        return baseline ? "baseline" : axes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .reduce((a, b) -> a + ", " + b).orElse("emulated");
    }

    public static List<PointSummary> of(List<ResultRecord> records) {
        Map<String, List<ResultRecord>> byPoint = new LinkedHashMap<>();
        records.stream().sorted(Comparator.comparingInt(ResultRecord::pointIndex).thenComparingInt(ResultRecord::repeat))
                .forEach(r -> byPoint.computeIfAbsent(r.pointId(), k -> new ArrayList<>()).add(r));
        Map<String, List<ResultRecord>> baselines = new LinkedHashMap<>();
        byPoint.values().stream().filter(l -> l.getFirst().baseline()).forEach(l -> baselines.put(l.getFirst().workloadKey(), l));
        List<PointSummary> out = new ArrayList<>();
        for (List<ResultRecord> rs : byPoint.values()) {
            ResultRecord first = rs.getFirst();
            List<ResultRecord> base = baselines.get(first.workloadKey());
            SampleStats pp = stats(rs, ResultRecord::ppTps);
            SampleStats tg = stats(rs, ResultRecord::tgTps);
            double modelled = median(rs, ResultRecord::modelledStepMs);
            double baseStep = base == null ? Double.NaN : median(base, ResultRecord::measuredStepMs);
            Map<String, Double> tierP99 = new LinkedHashMap<>();
            for (ResultRecord r : rs) {
                r.tierReadP99Us().forEach((k, v) -> tierP99.merge(k, v / rs.size(), Double::sum));
            }
            out.add(new PointSummary(first.pointId(), first.pointIndex(), first.baseline(), first.axes(), first.nPrompt(),
                    first.nGen(), first.nDepth(), pp, tg, stats(rs, ResultRecord::ttftMs), median(rs, ResultRecord::itlP99Ms),
                    median(rs, ResultRecord::stallMs), median(rs, ResultRecord::measuredStepMs), modelled, tierP99,
                    base == null ? Ratio.NONE : ratio(pp, stats(base, ResultRecord::ppTps)),
                    base == null ? Ratio.NONE : ratio(tg, stats(base, ResultRecord::tgTps)),
                    first.baseline() ? 1.0 : baseStep / modelled));
        }
        return out;
    }

    private static SampleStats stats(List<ResultRecord> rs, java.util.function.ToDoubleFunction<ResultRecord> f) {
        return SampleStats.of(rs.stream().mapToDouble(f).filter(Double::isFinite).toArray());
    }

    private static double median(List<ResultRecord> rs, java.util.function.ToDoubleFunction<ResultRecord> f) {
        double[] v = rs.stream().mapToDouble(f).filter(Double::isFinite).toArray();
        return v.length == 0 ? Double.NaN : SampleStats.median(v);
    }

    /** a / b with the delta-method CI: relative standard errors add in quadrature. */
    static Ratio ratio(SampleStats a, SampleStats b) {
        if (a.n() == 0 || b.n() == 0 || !(b.mean() > 0)) {
            return Ratio.NONE;
        }
        double r = a.mean() / b.mean();
        if (a.n() < 2 || b.n() < 2) {
            return new Ratio(r, Double.NaN, Double.NaN);
        }
        double relSe = Math.sqrt(Math.pow(a.stddev() / Math.sqrt(a.n()) / a.mean(), 2) + Math.pow(b.stddev() / Math.sqrt(b.n()) / b.mean(), 2));
        double t = new TDistribution(Math.min(a.n(), b.n()) - 1).inverseCumulativeProbability(0.975);
        return new Ratio(r, r * (1 - t * relSe), r * (1 + t * relSe));
    }
}
