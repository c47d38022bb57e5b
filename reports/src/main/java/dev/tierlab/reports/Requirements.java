package dev.tierlab.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Requirement tables: for a target degradation X, the weakest value of a numeric axis (the lowest
 * bandwidth, the highest latency) at which decode stays within X of baseline, interpolated linearly
 * between the measured points that bracket the crossing, and the same read off the analytical model.
 */
public final class Requirements {

    public record Row(String workload, String axis, String others, double targetDegradation, String direction,
            OptionalDouble measured, OptionalDouble modelled, String unit, double p99LatencyUsAtThreshold, String note) {
    }

    public static final double[] DEFAULT_TARGETS = {0.05, 0.10, 0.20};

    private Requirements() {
    }

    /** Points along one axis (same workload, same other axes), sorted by the axis value. */
    public record Curve(String workload, String axis, String others, String unit, List<double[]> points) {
        // points: {x, tgRelative, modelledTgRelative, p99LatencyUs}
    }

    public static List<Row> solve(List<Curve> curves, double[] targets) {
        List<Row> rows = new ArrayList<>();
        for (Curve c : curves) {
            List<double[]> pts = new ArrayList<>(c.points());
            pts.sort(Comparator.comparingDouble(p -> p[0]));
            if (pts.size() < 2) {
                continue;
            }
            // Higher x better (bandwidth) when tg rises with x; lower x better (latency) otherwise.
            boolean higherIsBetter = pts.getLast()[1] >= pts.getFirst()[1];
            for (double x : targets) {
                double level = 1 - x;
                OptionalDouble measured = crossing(pts, 1, level, higherIsBetter);
                OptionalDouble modelled = crossing(pts, 2, level, higherIsBetter);
                String note = measured.isPresent() ? "" : allMeet(pts, 1, level) ? "every measured value meets it"
                        : "no measured value meets it";
                double p99 = measured.isPresent() ? interpolate(pts, measured.getAsDouble(), 3) : Double.NaN;
                rows.add(new Row(c.workload(), c.axis(), c.others(), x, higherIsBetter ? "at least" : "at most", measured, modelled,
                        c.unit(), p99, note));
            }
        }
        return rows;
    }

    private static boolean allMeet(List<double[]> pts, int col, double level) {
        return pts.stream().allMatch(p -> p[col] >= level);
    }

    /** The x where the column crosses {@code level}, walking from the best end of the axis. */
    static OptionalDouble crossing(List<double[]> pts, int col, double level, boolean higherIsBetter) {
        List<double[]> walk = new ArrayList<>(pts);
        if (higherIsBetter) {
            java.util.Collections.reverse(walk);
        }
        if (!(walk.getFirst()[col] >= level)) {
            return OptionalDouble.empty();
        }
        for (int i = 1; i < walk.size(); i++) {
            double[] a = walk.get(i - 1);
            double[] b = walk.get(i);
            if (Double.isNaN(b[col])) {
                return OptionalDouble.empty();
            }
            if (b[col] < level) {
                double t = (a[col] - level) / (a[col] - b[col]);
                return OptionalDouble.of(a[0] + t * (b[0] - a[0]));
            }
        }
        return OptionalDouble.empty();
    }

    private static double interpolate(List<double[]> pts, double x, int col) {
        for (int i = 1; i < pts.size(); i++) {
            double[] a = pts.get(i - 1);
            double[] b = pts.get(i);
            if (x >= a[0] && x <= b[0]) {
                double t = b[0] == a[0] ? 0 : (x - a[0]) / (b[0] - a[0]);
                return a[col] + t * (b[col] - a[col]);
            }
        }
        return Double.NaN;
    }

    /** Builds the curves of every numeric axis from the point summaries. */
    public static List<Curve> curves(List<PointSummary> points) {
        List<Curve> curves = new ArrayList<>();
        Map<String, List<PointSummary>> byWorkload = new java.util.LinkedHashMap<>();
        points.forEach(p -> byWorkload.computeIfAbsent(p.workloadKey(), k -> new ArrayList<>()).add(p));
        for (var w : byWorkload.entrySet()) {
            List<PointSummary> swept = w.getValue().stream().filter(p -> !p.baseline()).toList();
            List<String> axes = swept.stream().flatMap(p -> p.axes().keySet().stream()).distinct().toList();
            for (String axis : axes) {
                List<String> values = swept.stream().map(p -> p.axes().get(axis)).distinct().toList();
                var unit = AxisValue.commonUnit(values);
                if (unit.isEmpty()) {
                    continue;
                }
                Map<String, List<double[]>> byOthers = new java.util.LinkedHashMap<>();
                for (PointSummary p : swept) {
                    String others = p.axes().entrySet().stream().filter(e -> !e.getKey().equals(axis))
                            .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("");
                    double x = AxisValue.parse(p.axes().get(axis)).orElseThrow().value();
                    double p99 = p.tierReadP99Us().values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                    byOthers.computeIfAbsent(others, k -> new ArrayList<>())
                            .add(new double[] {x, p.tgRelative().value(), p.modelledTgRelative(), p99});
                }
                byOthers.forEach((others, pts) -> curves.add(new Curve(w.getKey(), axis, others, unit.get(), pts)));
            }
        }
        return curves;
    }
}
