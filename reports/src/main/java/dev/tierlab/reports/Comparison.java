package dev.tierlab.reports;

import dev.tierlab.reports.stats.HolmBonferroni;
import dev.tierlab.reports.stats.MannWhitney;
import dev.tierlab.reports.stats.RatioEstimate;
import dev.tierlab.reports.stats.RatioSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Two runs compared point by point and metric by metric (run B against run A).
 *
 * <p>What is compared: for paired (v2) runs, each point's per-pair degradation ratios (emulated over the
 * baseline repeat next to it), so that host drift between the two runs, which moves both halves of a
 * pair alike, is not counted as a difference; for unpaired (v1) runs, the emulated repeats' absolute
 * figures.
 *
 * <p>Per point and metric: the ratio of medians B/A with a 95% percentile-bootstrap interval (each
 * run's repeats resampled on their own), and a two-sided Mann-Whitney U test ({@link MannWhitney}:
 * exact permutation distribution for small samples, ties by midranks). A difference is declared only
 * with at least {@code minPerSide} repeats on each side and a Holm-Bonferroni-adjusted p-value at most
 * alpha, the adjustment taken over every test of the comparison; otherwise the row says
 * "inconclusive" or "no difference detected". Disturbed repeats (and pairs with a disturbed half) are
 * left out unless asked for.
 */
public final class Comparison {

    public record Options(int minPerSide, double alpha, boolean includeDisturbed) {

        public static final Options DEFAULT = new Options(5, 0.05, false);

        public Options {
            if (minPerSide < 2) {
                throw new IllegalArgumentException("--min-repeats must be at least 2");
            }
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha must be in (0, 1)");
            }
        }
    }

    /**
     * The repeats of one point and metric in each run.
     *
     * @param degradation whether the values are per-pair degradation ratios (paired runs) rather than
     *     absolute figures
     */
    public record Samples(String pointId, Metric metric, double[] a, double[] b, boolean degradation) {

        public Samples(String pointId, Metric metric, double[] a, double[] b) {
            this(pointId, metric, a, b, false);
        }
    }

    public enum Verdict {
        B_HIGHER("B higher"), B_LOWER("B lower"), NO_DIFFERENCE("no difference detected"), TOO_FEW("inconclusive: too few repeats");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * @param sample the two runs' repeats, for the ratio B/A
     * @param test the Mann-Whitney test; null when a side has fewer than the minimum repeats
     * @param pHolm the Holm-adjusted p-value; NaN when not tested
     */
    public record Row(String pointId, Metric metric, int nA, int nB, double medianA, double medianB, RatioSample sample,
            MannWhitney.Result test, double pHolm, Verdict verdict, boolean degradation) {

        /** What the medians are: "tg_tps ratio" (per-pair degradation) or "tg_tps" (absolute). */
        public String quantity() {
            return degradation ? metric.key() + " ratio" : metric.key();
        }

        /** Median B / median A with its 95% bootstrap interval (computed on each call; seeded by point and metric). */
        public RatioEstimate ratio() {
            return sample.estimate(PointSummary.seed(pointId, metric));
        }

        public String verdictText(Options o) {
            return verdict == Verdict.TOO_FEW ? "inconclusive: n<" + o.minPerSide() + " per side" : verdict.text();
        }
    }

    /** The rows and the method they were made with. */
    public record Result(List<Row> rows, Options options) {

        public int tests() {
            return (int) rows.stream().filter(r -> r.test() != null).count();
        }

        /** What was done, in words, for the output's footer. */
        public List<String> method() {
            List<String> out = new ArrayList<>();
            if (rows.stream().anyMatch(Row::degradation)) {
                out.add("Paired runs: each repeat is the degradation of one pair (emulated / its baseline), so drift of the host "
                        + "between the runs cancels; 'median A/B' are median degradations.");
            }
            out.add(String.format(Locale.ROOT, "B/A: ratio of medians, 95%% percentile-bootstrap interval (%d resamples, smoothed, log scale).",
                    dev.tierlab.reports.stats.PercentileBootstrap.DEFAULT_RESAMPLES));
            out.add("p: two-sided Mann-Whitney U, exact permutation distribution up to " + MannWhitney.EXACT_MAX_POOLED
                    + " pooled repeats (ties by midranks, exact given the ties), normal approximation above.");
            out.add(String.format(Locale.ROOT, "p(Holm): Holm-Bonferroni over all %d tests (points x metrics); a difference needs "
                    + ">= %d repeats per side and p(Holm) <= %s.", tests(), options.minPerSide(), plain(options.alpha())));
            TreeSet<String> sizes = new TreeSet<>();
            for (Row r : rows) {
                if (r.test() != null && r.test().exact()) {
                    sizes.add(String.format(Locale.ROOT, "nA=%d, nB=%d: smallest possible p %.4f, real false-positive rate of one test at "
                            + "alpha %s: %.4f", r.nA(), r.nB(), r.test().minAttainableP(), plain(options.alpha()), r.test().attainedAlpha()));
                }
            }
            sizes.forEach(s -> out.add("attained alpha, " + s + "."));
            if (!options.includeDisturbed()) {
                out.add("Disturbed repeats left out (--include-disturbed keeps them).");
            }
            return out;
        }
    }

    private Comparison() {
    }

    /** 0.05 as "0.05", not "0.0500". */
    static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    public static Result compare(RunData a, RunData b, Options o) {
        Map<String, PointData> byA = points(a, o);
        Map<String, PointData> byB = points(b, o);
        List<Samples> samples = new ArrayList<>();
        for (String id : byA.keySet()) {
            PointData pa = byA.get(id);
            PointData pb = byB.get(id);
            if (pb == null || pa.baselinePoint() || pb.baselinePoint()) {
                continue;
            }
            boolean paired = pa.paired() && pb.paired();
            for (Metric m : List.of(Metric.TG, Metric.PP)) {
                double[] x = paired ? pa.pairRatios(m) : PointData.values(pa.emulated(), m::value);
                double[] y = paired ? pb.pairRatios(m) : PointData.values(pb.emulated(), m::value);
                if (x.length > 0 && y.length > 0) {
                    samples.add(new Samples(id, m, x, y, paired));
                }
            }
        }
        return of(samples, o);
    }


    /** Tests every sample set and adjusts across all of them. */
    public static Result of(List<Samples> samples, Options o) {
        double[] p = new double[samples.size()];
        List<MannWhitney.Result> tests = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Samples s = samples.get(i);
            boolean enough = s.a().length >= o.minPerSide() && s.b().length >= o.minPerSide();
            MannWhitney.Result t = enough ? MannWhitney.test(s.a(), s.b(), o.alpha()) : null;
            tests.add(t);
            p[i] = t == null ? Double.NaN : t.pValue();
        }
        double[] holm = HolmBonferroni.adjust(p);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Samples s = samples.get(i);
            MannWhitney.Result t = tests.get(i);
            Verdict v;
            if (t == null) {
                v = Verdict.TOO_FEW;
            } else if (holm[i] <= o.alpha()) {
                // U counts pairs with a > b: above half of them, A tends higher, so B is lower
                v = t.u() > s.a().length * (double) s.b().length / 2 ? Verdict.B_LOWER : Verdict.B_HIGHER;
            } else {
                v = Verdict.NO_DIFFERENCE;
            }
            rows.add(new Row(s.pointId(), s.metric(), s.a().length, s.b().length, median(s.a()), median(s.b()),
                    RatioSample.unpaired(s.b(), s.a()), t, holm[i], v, s.degradation()));
        }
        return new Result(rows, o);
    }

    private static double median(double[] v) {
        return dev.tierlab.reports.stats.SampleStats.median(v);
    }

    private static Map<String, PointData> points(RunData run, Options o) {
        Map<String, PointData> m = new LinkedHashMap<>();
        PointData.of(run.records(), o.includeDisturbed()).forEach(p -> m.put(p.pointId(), p));
        return m;
    }
}
