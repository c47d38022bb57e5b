package dev.tierlab.reports;

import dev.tierlab.reports.stats.Isotonic;
import dev.tierlab.reports.stats.PercentileBootstrap;
import dev.tierlab.reports.stats.RatioEstimate;
import dev.tierlab.reports.stats.RatioSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Requirement inversion: for a loss target X (5%, 10%, 20%), the weakest value of a continuous axis
 * (the lowest bandwidth, the highest latency) at which the degradation stays within X of baseline.
 *
 * <p>Per curve (one workload, one continuous axis, every other axis fixed: a facet), the points'
 * median ratios get a monotone fit by weighted isotonic regression (pool adjacent violators, weights =
 * pairs), in the direction the axis implies (bandwidth up is faster, latency up is slower; otherwise
 * the direction the data fit better). The fit is interpolated linearly between tested values (on the
 * log axis for log-scale axes) and inverted at 1 - X. The 95% interval resamples each point's pairs
 * (the {@link RatioSample} bootstrap), refits and re-inverts, {@code resamples} times, and takes the
 * 2.5th and 97.5th percentiles. Where the target lies outside the tested range the answer is censored
 * ("every tested value meets it", "no tested value meets it") instead of extrapolated. Discrete axes
 * are never inverted: they are facets.
 */
public final class Requirements {

    public static final double[] DEFAULT_TARGETS = {0.05, 0.10, 0.20};

    private Requirements() {
    }

    /** A tested point on a curve: its axis value, summary and the sample behind its ratio (null if none). */
    public record Node(double x, PointSummary point, RatioSample sample) {
    }

    /** One continuous axis of one workload with every other axis fixed ({@code facet}, "" when none). */
    public record Curve(String workload, Axis axis, String facet, Metric metric, List<Node> nodes) {

        public Curve {
            nodes = nodes.stream().sorted(Comparator.comparingDouble(Node::x)).toList();
        }
    }

    /**
     * An axis value found by inversion. {@code censored}: 0 inside the tested range; -1 the true value
     * lies below the lowest tested value (at {@code value}); +1 above the highest tested value.
     */
    public record Bound(double value, int censored) {

        static final Bound NONE = new Bound(Double.NaN, 0);

        public boolean present() {
            return Double.isFinite(value);
        }
    }

    /**
     * One requirement: to keep {@code metric} within {@code targetLoss} of baseline the axis must be
     * {@code direction} {@code estimate} (95% interval {@code low}-{@code high}); {@code reference}
     * is the same read off the reference curve.
     */
    public record Row(String workload, String facet, Axis axis, Metric metric, double targetLoss, boolean higherIsBetter,
            Bound estimate, Bound low, Bound high, Bound reference, int points, int minPairs) {

        /** Whether every point on the curve has the pairs a conclusive ratio needs; otherwise no interval is shown. */
        public boolean enoughPairs() {
            return minPairs >= RatioEstimate.MIN_N;
        }

        public String direction() {
            return higherIsBetter ? "at least" : "at most";
        }

        /** "&gt;= 0.62x (0.55x–0.70x)", or the censored wording. */
        public String requirementText() {
            if (!estimate.present()) {
                return "no host measurement";
            }
            String est = boundText(estimate);
            if (!enoughPairs()) {
                return est + " (indicative: a point has " + minPairs + " < " + RatioEstimate.MIN_N + " pairs, no interval)";
            }
            return intervalText().isEmpty() ? est : est + " (" + intervalText() + ")";
        }

        /**
         * "0.55x–0.70x", with "&lt;"/"&gt;" where a bound falls outside the tested range; "" without an interval, with too
         * few pairs, or when the estimate and both bounds lie beyond the same end of the tested range (nothing to add).
         */
        public String intervalText() {
            boolean sameCensoring = estimate.censored() != 0 && low.censored() == estimate.censored() && high.censored() == estimate.censored();
            return low.present() && enoughPairs() && !sameCensoring ? edge(low) + "–" + edge(high) : "";
        }

        /** The whole sentence: "to keep decode within 10%: tiers.hbf.read_bandwidth >= 0.62x (0.55x–0.70x)". */
        public String sentence() {
            return "to keep " + metric.description() + " within " + pct(targetLoss) + " of baseline: " + axis.name() + " "
                    + requirementText();
        }

        String boundText(Bound b) {
            boolean weakEnd = higherIsBetter ? b.censored() < 0 : b.censored() > 0;
            boolean strongEnd = b.censored() != 0 && !weakEnd;
            if (weakEnd) {
                return "every tested value meets it (" + sign() + " " + axis.format(b.value()) + " or weaker)";
            }
            if (strongEnd) {
                return "no tested value meets it (needs " + (higherIsBetter ? "more than " : "less than ") + axis.format(b.value()) + ")";
            }
            return sign() + " " + axis.format(b.value());
        }

        private String sign() {
            return higherIsBetter ? "≥" : "≤";
        }

        private String edge(Bound b) {
            return b.censored() < 0 ? "<" + axis.format(b.value()) : b.censored() > 0 ? ">" + axis.format(b.value()) : axis.format(b.value());
        }
    }

    /** The curves of every continuous axis, per workload and facet of the other axes. */
    public static List<Curve> curves(List<PointSummary> points) {
        List<Curve> curves = new ArrayList<>();
        Map<String, List<PointSummary>> byWorkload = new LinkedHashMap<>();
        points.stream().filter(p -> !p.data().baselinePoint())
                .forEach(p -> byWorkload.computeIfAbsent(p.workloadKey(), k -> new ArrayList<>()).add(p));
        for (var w : byWorkload.entrySet()) {
            List<String> names = w.getValue().stream().flatMap(p -> p.data().axes().keySet().stream()).distinct().toList();
            for (String name : names) {
                List<PointSummary> on = w.getValue().stream().filter(p -> p.data().axes().containsKey(name)).toList();
                Axis axis = Axis.classify(name, on.stream().map(p -> p.data().axes().get(name)).distinct().toList());
                if (!axis.continuous()) {
                    continue;
                }
                Map<String, List<PointSummary>> byFacet = on.stream().collect(Collectors.groupingBy(p -> facet(p, name),
                        LinkedHashMap::new, Collectors.toList()));
                for (var f : byFacet.entrySet()) {
                    Metric metric = f.getValue().stream().allMatch(p -> p.decode().n() > 0) ? Metric.DECODE : Metric.TG;
                    List<Node> nodes = f.getValue().stream()
                            .map(p -> new Node(axis.value(p.data().axes().get(name)), p, p.data().ratioSample(metric))).toList();
                    curves.add(new Curve(w.getKey(), axis, f.getKey(), metric, nodes));
                }
            }
        }
        return curves;
    }

    /** "prefetch=1, mode=inject": the point's other axes. */
    static String facet(PointSummary p, String axis) {
        return p.data().axes().entrySet().stream().filter(e -> !e.getKey().equals(axis)).sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    public static List<Row> solve(List<Curve> curves, double[] targets, int resamples) {
        if (resamples < PercentileBootstrap.MIN_RESAMPLES) {
            throw new IllegalArgumentException("requirement intervals need at least " + PercentileBootstrap.MIN_RESAMPLES + " resamples");
        }
        for (double t : targets) {
            if (!(t > 0 && t < 1)) {
                throw new IllegalArgumentException("a loss target must be in (0, 1): " + t);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Curve c : curves) {
            List<Node> nodes = c.nodes().stream().filter(n -> n.sample() != null).toList();
            List<Node> refNodes = c.nodes().stream().filter(n -> n.point().reference().present()).toList();
            boolean measured = nodes.size() >= 2;
            if (!measured && refNodes.size() < 2) {
                continue;
            }
            double[] refX = refNodes.stream().mapToDouble(n -> c.axis().scale(n.x())).toArray();
            double[] refY = refNodes.stream().mapToDouble(n -> n.point().reference().median()).toArray();
            double[] xs = nodes.stream().mapToDouble(n -> c.axis().scale(n.x())).toArray();
            double[] y = nodes.stream().mapToDouble(n -> n.sample().estimate()).toArray();
            double[] w = nodes.stream().mapToDouble(n -> n.sample().n()).toArray();
            // direction: the axis's own, else the data's (measured when there is a measurement, else the reference)
            double[] dy = measured ? y : refY;
            double[] dw = measured ? w : ones(refY.length);
            boolean increasing = c.axis().higherIsBetter() != 0 ? c.axis().higherIsBetter() > 0
                    : Isotonic.sse(dy, dw, Isotonic.fit(dy, dw, true)) <= Isotonic.sse(dy, dw, Isotonic.fit(dy, dw, false));
            double[] refFit = refNodes.size() < 2 ? null : Isotonic.fit(refY, ones(refY.length), increasing);
            double[][] replicates = new double[targets.length][resamples];
            double[] fit = null;
            boolean withCi = measured && nodes.stream().allMatch(n -> n.sample().n() >= 2);
            if (measured) {
                fit = Isotonic.fit(y, w, increasing);
                SplittableRandom rnd = new SplittableRandom((c.workload() + "|" + c.axis().name() + "|" + c.facet()).hashCode());
                double[] yb = new double[y.length];
                for (int b = 0; withCi && b < resamples; b++) {
                    for (int i = 0; i < yb.length; i++) {
                        yb[i] = nodes.get(i).sample().draw(rnd);
                    }
                    double[] fb = Isotonic.fit(yb, w, increasing);
                    for (int t = 0; t < targets.length; t++) {
                        replicates[t][b] = invertScaled(xs, fb, 1 - targets[t], increasing);
                    }
                }
            }
            for (int t = 0; t < targets.length; t++) {
                double level = 1 - targets[t];
                double[] rep = replicates[t];
                Arrays.sort(rep);
                rows.add(new Row(c.workload(), c.facet(), c.axis(), c.metric(), targets[t], increasing,
                        measured ? bound(c.axis(), xs, invertScaled(xs, fit, level, increasing)) : Bound.NONE,
                        withCi ? bound(c.axis(), xs, PercentileBootstrap.nearestRank(rep, 0.025)) : Bound.NONE,
                        withCi ? bound(c.axis(), xs, PercentileBootstrap.nearestRank(rep, 0.975)) : Bound.NONE,
                        refFit == null ? Bound.NONE : bound(c.axis(), refX, invertScaled(refX, refFit, level, increasing)),
                        nodes.size(), nodes.stream().mapToInt(n -> n.sample().n()).min().orElse(0)));
            }
        }
        return rows;
    }

    private static double[] ones(int n) {
        double[] w = new double[n];
        Arrays.fill(w, 1);
        return w;
    }

    /**
     * Where the monotone fit {@code f} over ascending scaled axis values {@code xs} crosses
     * {@code level}: the weakest x with f(x) &gt;= level, linear between tested values. -Infinity when it
     * lies below the tested range, +Infinity above.
     */
    static double invertScaled(double[] xs, double[] f, double level, boolean increasing) {
        int n = xs.length;
        if (increasing) {
            if (f[0] >= level) {
                return Double.NEGATIVE_INFINITY;
            }
            if (f[n - 1] < level) {
                return Double.POSITIVE_INFINITY;
            }
            int k = 0;
            while (f[k + 1] < level) {
                k++;
            }
            double t = (level - f[k]) / (f[k + 1] - f[k]);
            return xs[k] + t * (xs[k + 1] - xs[k]);
        }
        if (f[n - 1] >= level) {
            return Double.POSITIVE_INFINITY;
        }
        if (f[0] < level) {
            return Double.NEGATIVE_INFINITY;
        }
        int k = n - 1;
        while (f[k - 1] < level) {
            k--;
        }
        // f[k-1] >= level > f[k]
        double t = (f[k - 1] - level) / (f[k - 1] - f[k]);
        return xs[k - 1] + t * (xs[k] - xs[k - 1]);
    }

    private static Bound bound(Axis axis, double[] xs, double scaled) {
        if (scaled == Double.NEGATIVE_INFINITY) {
            return new Bound(axis.unscale(xs[0]), -1);
        }
        if (scaled == Double.POSITIVE_INFINITY) {
            return new Bound(axis.unscale(xs[xs.length - 1]), 1);
        }
        return new Bound(axis.unscale(scaled), 0);
    }

    /** 0.1 as "10%", 0.022 as "2.2%". */
    static String pct(double fraction) {
        return java.math.BigDecimal.valueOf(Math.round(1000 * fraction) / 10.0).stripTrailingZeros().toPlainString() + "%";
    }
}
