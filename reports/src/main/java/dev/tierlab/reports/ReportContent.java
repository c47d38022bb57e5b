package dev.tierlab.reports;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Everything a report renders, computed once and shared by HTML, Markdown and CSV. */
record ReportContent(RunData data, ReportBuilder.Options options, List<PointSummary> points, Map<String, LatencyTail.Sides> tails,
        List<Requirements.Row> requirements, NoiseFloor noise, Headline headline, OptionalDouble targetPrecision, List<Path> charts) {

    /** Points that met the target precision, of those with an interval. */
    long pointsAtPrecision() {
        return targetPrecision.isEmpty() ? 0 : points.stream().filter(p -> p.degradation().precision() <= targetPrecision.getAsDouble()).count();
    }

    long pointsWithInterval() {
        return points.stream().filter(p -> Double.isFinite(p.degradation().precision())).count();
    }

    boolean multipleWorkloads() {
        return points.stream().map(PointSummary::workloadKey).distinct().count() > 1;
    }

    LatencyTail.Sides tail(PointSummary p) {
        return tails.getOrDefault(p.pointId(), new LatencyTail.Sides(LatencyTail.EMPTY, LatencyTail.EMPTY));
    }

    /** The tail a point's own lines give: the baseline's for a v1 baseline point, else the emulated one. */
    LatencyTail ownTail(PointSummary p) {
        return p.data().baselinePoint() ? tail(p).baseline() : tail(p).emulated();
    }
}
