package dev.tierlab.reports;

import dev.tierlab.reports.ResultRecord.Role;
import dev.tierlab.reports.stats.RatioSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The lines of one sweep point, sorted into baseline and emulated repeats and, in v2 runs, pairs.
 *
 * <p>v2: a point's baseline lines carry its own point_id; a pair is the baseline and the emulated
 * line with the same {@code pair}. v1: the workload's baseline point (its own point_id, baseline
 * true) is the unpaired baseline of every emulated point of the workload; the baseline point itself
 * is listed with {@link #baselinePoint()} true. Disturbed lines are left out unless asked for; a pair
 * with a disturbed half goes with it.
 */
public record PointData(String pointId, int pointIndex, Map<String, String> axes, int nPrompt, int nGen, int nDepth,
        boolean baselinePoint, List<ResultRecord> baseline, List<ResultRecord> emulated, List<Pair> pairs) {

    /** One baseline repeat and the emulated repeat measured next to it. */
    public record Pair(int index, ResultRecord baseline, ResultRecord emulated) {
    }

    public PointData {
        axes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(axes));
        baseline = List.copyOf(baseline);
        emulated = List.copyOf(emulated);
        pairs = List.copyOf(pairs);
    }

    public String workloadKey() {
        return ResultRecord.workloadOf(pointId);
    }

    public boolean paired() {
        return !pairs.isEmpty();
    }

    /** "bw=0.5x, prefetch=1", or "baseline". */
    public String label() {
        if (baselinePoint) {
            return "baseline";
        }
        return axes.isEmpty() ? "emulated" : String.join(", ", axes.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /** Every point of a run, in point order. */
    public static List<PointData> of(List<ResultRecord> records, boolean includeDisturbed) {
        List<ResultRecord> kept = records.stream().filter(r -> includeDisturbed || !r.noise().disturbed())
                .sorted(Comparator.comparingInt(ResultRecord::pointIndex).thenComparingInt(ResultRecord::repeat)).toList();
        Map<String, List<ResultRecord>> byPoint = new LinkedHashMap<>();
        // keep every point, even one whose lines were all disturbed
        records.stream().sorted(Comparator.comparingInt(ResultRecord::pointIndex))
                .forEach(r -> byPoint.computeIfAbsent(r.pointId(), k -> new ArrayList<>()));
        kept.forEach(r -> byPoint.get(r.pointId()).add(r));
        Map<String, List<ResultRecord>> v1Baselines = new LinkedHashMap<>();
        for (List<ResultRecord> rs : byPoint.values()) {
            if (!rs.isEmpty() && !rs.getFirst().v2() && rs.stream().allMatch(ResultRecord::baseline)) {
                v1Baselines.put(rs.getFirst().workloadKey(), rs);
            }
        }
        List<PointData> out = new ArrayList<>();
        for (var e : byPoint.entrySet()) {
            List<ResultRecord> rs = e.getValue();
            ResultRecord first = records.stream().filter(r -> r.pointId().equals(e.getKey())).findFirst().orElseThrow();
            List<ResultRecord> em = rs.stream().filter(r -> r.role() == Role.EMULATED).toList();
            List<ResultRecord> base = rs.stream().filter(r -> r.role() == Role.BASELINE).toList();
            // v1: the workload's baseline point; v2 trace mode: the workload's one traced engine run, a point of its own
            boolean v1BaselinePoint = !first.v2() ? first.baseline()
                    : records.stream().filter(r -> r.pointId().equals(e.getKey())).allMatch(r -> r.role() == Role.BASELINE);
            if (!first.v2() && !v1BaselinePoint) {
                base = v1Baselines.getOrDefault(first.workloadKey(), List.of());
            }
            if (first.v2() && base.isEmpty() && !em.isEmpty() && em.stream().allMatch(r -> r.mode().equals("trace"))) {
                // Trace mode: every point is evaluated on the traces of its workload's baseline repeats
                // (point_id <workload>/baseline); pair k of a point is traced repeat k.
                List<String> traced = byPoint.keySet().stream().filter(id -> id.startsWith(first.workloadKey() + "/baseline")).toList();
                if (traced.size() == 1) {
                    base = byPoint.get(traced.getFirst()).stream().filter(r -> r.role() == Role.BASELINE).toList();
                }
            }
            List<Pair> pairs = new ArrayList<>();
            if (first.v2()) {
                Map<Integer, ResultRecord> b = new TreeMap<>();
                base.stream().filter(ResultRecord::paired).forEach(r -> b.put(r.pair(), r));
                for (ResultRecord r : em) {
                    if (r.paired() && b.containsKey(r.pair())) {
                        pairs.add(new Pair(r.pair(), b.get(r.pair()), r));
                    }
                }
                pairs.sort(Comparator.comparingInt(Pair::index));
            }
            out.add(new PointData(first.pointId(), first.pointIndex(), first.axes(), first.nPrompt(), first.nGen(), first.nDepth(),
                    v1BaselinePoint, base, em, pairs));
        }
        return out;
    }

    /**
     * The sample behind this point's ratio on {@code metric}: per-pair ratios when paired, else the two
     * samples; null when there is nothing to compare (a baseline point, no host figures, trace mode).
     */
    public RatioSample ratioSample(Metric metric) {
        if (baselinePoint) {
            return null;
        }
        if (paired()) {
            double[] ratios = pairRatios(metric);
            return ratios.length == 0 ? null : RatioSample.paired(ratios);
        }
        double[] b = values(baseline, metric::value);
        double[] e = values(emulated, metric::value);
        if (b.length == 0 || e.length == 0) {
            return null;
        }
        return metric.timeLike() ? RatioSample.unpaired(b, e) : RatioSample.unpaired(e, b);
    }

    /** Each pair's emulated-vs-baseline ratio on {@code metric}, in pair order, where both figures exist. */
    public double[] pairRatios(Metric metric) {
        return pairs.stream().mapToDouble(p -> metric.ratio(p.baseline(), p.emulated())).filter(v -> v > 0 && Double.isFinite(v)).toArray();
    }

    static double[] values(List<ResultRecord> rs, ToDoubleFunction<ResultRecord> f) {
        return rs.stream().mapToDouble(f).filter(v -> v > 0 && Double.isFinite(v)).toArray();
    }
}
