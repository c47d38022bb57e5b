package dev.tierlab.reports;

import dev.tierlab.reports.stats.PercentileBootstrap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a run's report from its result files alone: summary.csv (every figure per point),
 * degradation curves and latency tails (SVG + PNG, .hgrm), the requirement table, report.md and a
 * self-contained report.html. Both reports open with the scenario's question and a one-sentence
 * answer, then the evidence.
 */
public final class ReportBuilder {

    /**
     * @param includeDisturbed keep disturbed repeats in the curves (they are listed either way)
     * @param targets loss targets for the requirement table (fractions: 0.05 = within 5%)
     * @param resamples bootstrap resamples for requirement intervals (at least 2000)
     */
    public record Options(boolean includeDisturbed, double[] targets, int resamples) {

        public static final Options DEFAULT = new Options(false, Requirements.DEFAULT_TARGETS, PercentileBootstrap.DEFAULT_RESAMPLES);

        public Options {
            targets = targets.clone();
            if (resamples < PercentileBootstrap.MIN_RESAMPLES) {
                throw new IllegalArgumentException("resamples must be at least " + PercentileBootstrap.MIN_RESAMPLES);
            }
        }
    }

    public record Report(Path html, Path markdown, Path summaryCsv, List<Path> charts, List<PointSummary> points,
            List<Requirements.Row> requirements, Headline headline, NoiseFloor noise) {
    }

    private ReportBuilder() {
    }

    public static Report build(List<Path> runDirs, Path outDir) throws IOException {
        return build(runDirs, outDir, Options.DEFAULT);
    }

    public static Report build(List<Path> runDirs, Path outDir, Options options) throws IOException {
        RunData data = RunData.read(runDirs);
        List<PointData> pointData = PointData.of(data.records(), options.includeDisturbed());
        List<PointSummary> points = PointSummary.of(pointData);
        Map<String, LatencyTail.Sides> tails = LatencyTail.collect(data, pointData);
        List<Requirements.Curve> curves = Requirements.curves(points);
        // The scenario's own targets (targets: [2.2%, 5%]) replace the defaults; targets given explicitly win.
        boolean defaultTargets = java.util.Arrays.equals(options.targets(), Requirements.DEFAULT_TARGETS);
        double[] targets = defaultTargets ? ScenarioText.targets(data.scenarioYaml()).orElse(options.targets()) : options.targets();
        List<Requirements.Row> requirements = Requirements.solve(curves, targets, options.resamples());
        NoiseFloor noise = NoiseFloor.of(data, points);
        // The answer is about the first target the scenario or the user named; with the defaults, 10%.
        Headline headline = Headline.of(data.scenarioYaml(), points, requirements,
                java.util.Arrays.equals(targets, Requirements.DEFAULT_TARGETS) ? 0.10 : targets[0]);
        Files.createDirectories(outDir);

        List<Path> charts = new ArrayList<>();
        Map<String, List<Requirements.Curve>> byWorkloadAxis = new LinkedHashMap<>();
        curves.forEach(c -> byWorkloadAxis.computeIfAbsent(c.workload() + "|" + c.axis().name(), k -> new ArrayList<>()).add(c));
        for (List<Requirements.Curve> group : byWorkloadAxis.values()) {
            degradationChart(group, outDir).ifPresent(charts::add);
        }
        charts.addAll(tailCharts(points, tails, outDir));

        ReportContent content = new ReportContent(data, options, points, tails, requirements, noise, headline,
                ScenarioText.precision(data.scenarioYaml()), charts);
        Path csv = outDir.resolve("summary.csv");
        write(csv, SummaryCsv.render(content));
        Path md = outDir.resolve("report.md");
        write(md, MarkdownReport.render(content, outDir));
        Path html = outDir.resolve("report.html");
        write(html, HtmlReport.render(content));
        return new Report(html, md, csv, charts, points, requirements, headline, noise);
    }

    /** One chart per workload and continuous axis: measured (with 95% CI) and reference per facet. */
    private static java.util.Optional<Path> degradationChart(List<Requirements.Curve> group, Path outDir) throws IOException {
        Requirements.Curve first = group.getFirst();
        List<Charts.Series> series = new ArrayList<>();
        for (Requirements.Curve c : group) {
            String tag = c.facet().isEmpty() ? "" : " [" + c.facet() + "]";
            List<Requirements.Node> measured = c.nodes().stream().filter(n -> n.point().degradation(c.metric()).n() > 0).toList();
            if (!measured.isEmpty()) {
                series.add(new Charts.Series("measured" + tag, measured.stream().mapToDouble(Requirements.Node::x).toArray(),
                        measured.stream().mapToDouble(n -> n.point().degradation(c.metric()).ratio().estimate()).toArray(),
                        measured.stream().mapToDouble(n -> n.point().degradation(c.metric()).ratio().low()).toArray(),
                        measured.stream().mapToDouble(n -> n.point().degradation(c.metric()).ratio().high()).toArray(), false));
            }
            List<Requirements.Node> ref = c.nodes().stream().filter(n -> n.point().reference().present()).toList();
            if (!ref.isEmpty()) {
                series.add(new Charts.Series(ref.getFirst().point().reference().source() + tag, ref.stream().mapToDouble(Requirements.Node::x).toArray(),
                        ref.stream().mapToDouble(n -> n.point().reference().median()).toArray(), null, null, true));
            }
        }
        if (series.isEmpty()) {
            return java.util.Optional.empty();
        }
        String title = "%s: %s vs %s".formatted(first.workload(), first.metric().description(), first.axis().name());
        var chart = Charts.degradation(title, first.axis(), "relative to baseline (measured: 95% CI bars)", series);
        return java.util.Optional.of(Charts.save(chart, outDir.resolve("curves").resolve(safe(first.workload() + "-" + first.axis().name()))));
    }

    /** Per workload: the baseline's tail (dashed) beside every point's emulated tail; .hgrm files beside them. */
    private static List<Path> tailCharts(List<PointSummary> points, Map<String, LatencyTail.Sides> tails, Path outDir) throws IOException {
        List<Path> out = new ArrayList<>();
        Map<String, List<PointSummary>> byWorkload = new LinkedHashMap<>();
        points.stream().filter(p -> p.data().nGen() > 0).sorted(Comparator.comparingInt(p -> p.data().pointIndex()))
                .forEach(p -> byWorkload.computeIfAbsent(p.workloadKey(), k -> new ArrayList<>()).add(p));
        for (var w : byWorkload.entrySet()) {
            TailSeries ts = tailSeries(w.getValue(), tails);
            for (int i = 0; i < ts.names().size(); i++) {
                String file = ts.baseline().get(i) ? safe(w.getKey()) + "-baseline-itl-ms.hgrm" : "%03d-itl-ms.hgrm".formatted(ts.pointIndex().get(i));
                writeHgrm(ts.tails().get(i), outDir.resolve("histograms").resolve(file));
            }
            if (!ts.names().isEmpty()) {
                out.add(Charts.save(Charts.tailLatency(w.getKey() + ": per-token decode time by percentile (host)", ts.names(), ts.tails(),
                        ts.baseline()), outDir.resolve("curves").resolve(safe(w.getKey() + "-itl-tail"))));
            }
        }
        return out;
    }

    /** The curves of one workload's tail chart: the pooled baseline first, then each point's emulated tail. */
    record TailSeries(List<String> names, List<LatencyTail> tails, List<Boolean> baseline, List<Integer> pointIndex) {
    }

    static TailSeries tailSeries(List<PointSummary> workloadPoints, Map<String, LatencyTail.Sides> tails) {
        List<String> names = new ArrayList<>();
        List<LatencyTail> ts = new ArrayList<>();
        List<Boolean> isBase = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        List<double[]> baseSamples = new ArrayList<>();
        java.util.Set<LatencyTail> seenBase = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (PointSummary p : workloadPoints) {
            LatencyTail.Sides s = tails.get(p.pointId());
            if (s == null) {
                continue;
            }
            if (s.baseline().n() > 0 && seenBase.add(s.baseline())) {
                baseSamples.add(s.baseline().samplesMs());
            }
            if (!p.data().baselinePoint() && s.emulated().n() > 0) {
                names.add(p.label());
                ts.add(s.emulated());
                isBase.add(false);
                index.add(p.data().pointIndex());
            }
        }
        LatencyTail pooledBase = new LatencyTail(baseSamples.stream().flatMapToDouble(java.util.Arrays::stream).toArray());
        if (pooledBase.n() > 0) {
            names.addFirst("baseline");
            ts.addFirst(pooledBase);
            isBase.addFirst(true);
            index.addFirst(-1);
        }
        return new TailSeries(names, ts, isBase, index);
    }

    private static void writeHgrm(LatencyTail t, Path target) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        t.histogram().outputPercentileDistribution(new PrintStream(buf, true, StandardCharsets.UTF_8), 1e6);
        write(target, buf.toString(StandardCharsets.UTF_8));
    }

    static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    static void write(Path target, String content) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".partial");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String fmt(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "";
    }
}
