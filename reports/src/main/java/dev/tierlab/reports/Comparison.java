package dev.tierlab.reports;

import dev.tierlab.reports.stats.SampleStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

/**
 * Two runs compared point by point: the ratio of medians (B over A) with a bootstrap 95% CI
 * (resampling each run's repeats), and a two-sided Mann-Whitney U p-value.
 */
public final class Comparison {

    public record Row(String pointId, String metric, int nA, int nB, double medianA, double medianB, double ratio,
            double ciLow, double ciHigh, double pValue) {

        public boolean significant() {
            return Double.isFinite(ciLow) && (ciLow > 1 || ciHigh < 1);
        }

        public String verdict() {
            if (!Double.isFinite(ciLow)) {
                return "too few repeats";
            }
            return significant() ? (ratio > 1 ? "B higher" : "B lower") : "no significant difference";
        }
    }

    private static final int RESAMPLES = 4000;

    private Comparison() {
    }

    public static List<Row> compare(RunData a, RunData b) {
        Map<String, List<ResultRecord>> byA = group(a.records());
        Map<String, List<ResultRecord>> byB = group(b.records());
        List<Row> rows = new ArrayList<>();
        for (String id : byA.keySet()) {
            if (!byB.containsKey(id)) {
                continue;
            }
            for (var metric : List.<Map.Entry<String, ToDoubleFunction<ResultRecord>>>of(
                    Map.entry("tg_tps", ResultRecord::tgTps), Map.entry("pp_tps", ResultRecord::ppTps))) {
                double[] x = byA.get(id).stream().mapToDouble(metric.getValue()).filter(Double::isFinite).toArray();
                double[] y = byB.get(id).stream().mapToDouble(metric.getValue()).filter(Double::isFinite).toArray();
                if (x.length == 0 || y.length == 0) {
                    continue;
                }
                rows.add(row(id, metric.getKey(), x, y, id.hashCode()));
            }
        }
        return rows;
    }

    static Row row(String id, String metric, double[] x, double[] y, long seed) {
        double ma = SampleStats.median(x);
        double mb = SampleStats.median(y);
        double lo = Double.NaN;
        double hi = Double.NaN;
        double p = Double.NaN;
        if (x.length >= 2 && y.length >= 2) {
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] ratios = new double[RESAMPLES];
            for (int i = 0; i < RESAMPLES; i++) {
                ratios[i] = SampleStats.median(resample(y, rnd)) / SampleStats.median(resample(x, rnd));
            }
            java.util.Arrays.sort(ratios);
            lo = ratios[(int) (0.025 * RESAMPLES)];
            hi = ratios[(int) (0.975 * RESAMPLES) - 1];
            p = new MannWhitneyUTest().mannWhitneyUTest(x, y);
        }
        return new Row(id, metric, x.length, y.length, ma, mb, mb / ma, lo, hi, p);
    }

    private static double[] resample(double[] v, SplittableRandom rnd) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[rnd.nextInt(v.length)];
        }
        return out;
    }

    private static Map<String, List<ResultRecord>> group(List<ResultRecord> records) {
        Map<String, List<ResultRecord>> m = new LinkedHashMap<>();
        records.forEach(r -> m.computeIfAbsent(r.pointId(), k -> new ArrayList<>()).add(r));
        return m;
    }
}
