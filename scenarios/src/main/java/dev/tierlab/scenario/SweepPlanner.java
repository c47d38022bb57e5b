package dev.tierlab.scenario;

import dev.tierlab.inference.bench.BenchTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Expands a scenario into its measured points, in a stable order: for each workload (prompt x
 * generate x depth), first the baseline (every byte on the top tier, no emulation), then every
 * combination of the sweep axes, the first axis varying slowest.
 */
public final class SweepPlanner {

    /** One measured point: its workload, its axis values (none for the baseline), its own scenario. */
    public record Point(int index, String id, BenchTest workload, Map<String, Object> axes, boolean baseline, Scenario scenario) {

        public String label() {
            return baseline ? workload.label() + " baseline"
                    : workload.label() + " " + axes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(", "));
        }
    }

    private SweepPlanner() {
    }

    public static List<Point> plan(Scenario s) {
        List<Map<String, Object>> combos = combinations(s.sweep());
        List<Point> points = new ArrayList<>();
        for (int p : s.workload().prompt()) {
            for (int n : s.workload().generate()) {
                for (int d : s.workload().depth()) {
                    BenchTest test = new BenchTest(p, n, d);
                    String w = "p%d-n%d-d%d".formatted(p, n, d);
                    points.add(new Point(points.size(), w + "/baseline", test, Map.of(), true, s));
                    for (Map<String, Object> combo : combos) {
                        if (combo.isEmpty()) {
                            points.add(new Point(points.size(), w + "/emulated", test, combo, false, s));
                            continue;
                        }
                        Map<String, Object> root = s.root();
                        for (Map.Entry<String, Object> e : combo.entrySet()) {
                            root = Maps.withValue(root, e.getKey(), e.getValue());
                        }
                        List<String> problems = new ArrayList<>();
                        Scenario ps = ScenarioLoader.parse(root, s.baseDir(), problems, null);
                        if (ps == null || !problems.isEmpty()) {
                            throw new ScenarioException(problems);
                        }
                        String id = w + "/" + combo.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(","));
                        points.add(new Point(points.size(), id, test, combo, false, ps));
                    }
                }
            }
        }
        return points;
    }

    /** The cartesian product of the axes' values; one empty combination when there are no axes. */
    static List<Map<String, Object>> combinations(List<Scenario.SweepAxis> axes) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (Scenario.SweepAxis axis : axes) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> partial : out) {
                for (Object v : axis.values()) {
                    Map<String, Object> m = new LinkedHashMap<>(partial);
                    m.put(axis.path(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }
}
