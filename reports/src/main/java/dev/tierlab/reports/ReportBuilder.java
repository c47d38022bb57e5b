package dev.tierlab.reports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Builds a run's report from its result files alone: summary.csv, degradation curves (SVG + PNG),
 * inter-token latency tails (.hgrm + plots), the requirement table, report.md and a self-contained
 * report.html.
 */
public final class ReportBuilder {

    public record Report(Path html, Path markdown, Path summaryCsv, List<Path> charts, List<PointSummary> points,
            List<Requirements.Row> requirements) {
    }

    private ReportBuilder() {
    }

    public static Report build(List<Path> runDirs, Path outDir) throws IOException {
        RunData data = RunData.read(runDirs);
        List<PointSummary> points = PointSummary.of(data.records());
        Files.createDirectories(outDir);
        Path csv = outDir.resolve("summary.csv");
        write(csv, SummaryCsv.render(points));

        List<Path> charts = new ArrayList<>();
        List<Requirements.Curve> curves = Requirements.curves(points);
        Map<String, List<Requirements.Curve>> byWorkloadAxis = new LinkedHashMap<>();
        curves.forEach(c -> byWorkloadAxis.computeIfAbsent(c.workload() + "|" + c.axis(), k -> new ArrayList<>()).add(c));
        for (List<Requirements.Curve> group : byWorkloadAxis.values()) {
            charts.add(degradationChart(group, points, outDir));
        }
        charts.addAll(tailCharts(data, points, outDir));
        List<Requirements.Row> requirements = Requirements.solve(curves, Requirements.DEFAULT_TARGETS);

        Path md = outDir.resolve("report.md");
        write(md, MarkdownReport.render(data, points, requirements, charts, outDir));
        Path html = outDir.resolve("report.html");
        write(html, HtmlReport.render(data, points, requirements, charts));
        return new Report(html, md, csv, charts, points, requirements);
    }

    private static Path degradationChart(List<Requirements.Curve> group, List<PointSummary> points, Path outDir) throws IOException {
        Requirements.Curve first = group.getFirst();
        List<Charts.Series> series = new ArrayList<>();
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        for (Requirements.Curve c : group) {
            List<PointSummary> pts = points.stream()
                    .filter(p -> !p.baseline() && p.workloadKey().equals(c.workload()) && p.axes().containsKey(c.axis())
                            && others(p, c.axis()).equals(c.others()))
                    .sorted(java.util.Comparator.comparingDouble(p -> x(p, c.axis()))).toList();
            double[] xs = pts.stream().mapToDouble(p -> x(p, c.axis())).toArray();
            for (double v : xs) {
                minX = Math.min(minX, v);
                maxX = Math.max(maxX, v);
            }
            String tag = c.others().isEmpty() ? "" : " [" + c.others() + "]";
            if (pts.stream().anyMatch(p -> p.nGen() > 0)) {
                series.add(new Charts.Series("tg measured" + tag, xs, pts.stream().mapToDouble(p -> p.tgRelative().value()).toArray(),
                        pts.stream().mapToDouble(p -> p.tgRelative().low()).toArray(),
                        pts.stream().mapToDouble(p -> p.tgRelative().high()).toArray(), false));
                double[] model = pts.stream().mapToDouble(PointSummary::modelledTgRelative).toArray();
                if (java.util.Arrays.stream(model).allMatch(Double::isFinite)) {
                    series.add(new Charts.Series("tg model" + tag, xs, model, null, null, true));
                }
            }
            if (pts.stream().anyMatch(p -> p.nPrompt() > 0)) {
                series.add(new Charts.Series("pp measured" + tag, xs, pts.stream().mapToDouble(p -> p.ppRelative().value()).toArray(),
                        pts.stream().mapToDouble(p -> p.ppRelative().low()).toArray(),
                        pts.stream().mapToDouble(p -> p.ppRelative().high()).toArray(), false));
            }
        }
        boolean logX = minX > 0 && maxX / minX >= 100;
        String title = "%s: throughput vs %s".formatted(first.workload(), first.axis());
        var chart = Charts.degradation(title, first.axis() + (first.unit().isEmpty() ? "" : " (" + first.unit() + ")"), logX, series);
        return Charts.save(chart, outDir.resolve("curves").resolve(safe(first.workload() + "-" + first.axis())));
    }

    private static double x(PointSummary p, String axis) {
        return AxisValue.parse(p.axes().get(axis)).map(AxisValue::value).orElse(Double.NaN);
    }

    private static String others(PointSummary p, String axis) {
        return p.axes().entrySet().stream().filter(e -> !e.getKey().equals(axis)).map(e -> e.getKey() + "=" + e.getValue())
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** Per workload, every point's inter-token latency by percentile; each point's .hgrm beside it. */
    private static List<Path> tailCharts(RunData data, List<PointSummary> points, Path outDir) throws IOException {
        List<Path> out = new ArrayList<>();
        Map<String, List<PointSummary>> byWorkload = points.stream().filter(p -> p.nGen() > 0)
                .collect(Collectors.groupingBy(PointSummary::workloadKey, LinkedHashMap::new, Collectors.toList()));
        for (var w : byWorkload.entrySet()) {
            List<String> names = new ArrayList<>();
            List<Histogram> hs = new ArrayList<>();
            for (PointSummary p : w.getValue()) {
                Histogram h = readLog(data.dirs(), "%03d-itl.hlog".formatted(p.pointIndex()));
                if (h == null || h.getTotalCount() == 0) {
                    continue;
                }
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                h.outputPercentileDistribution(new PrintStream(buf, true, StandardCharsets.UTF_8), 1e6);
                write(outDir.resolve("histograms").resolve("%03d-itl-ms.hgrm".formatted(p.pointIndex())), buf.toString(StandardCharsets.UTF_8));
                names.add(p.label());
                hs.add(h);
            }
            if (!hs.isEmpty()) {
                out.add(Charts.save(Charts.tailLatency(w.getKey() + ": inter-token latency by percentile", names, hs),
                        outDir.resolve("curves").resolve(safe(w.getKey() + "-itl-tail"))));
            }
        }
        return out;
    }

    /** All intervals of a histogram log, from whichever run directory has it. */
    static Histogram readLog(List<Path> dirs, String name) throws IOException {
        for (Path d : dirs) {
            Path f = d.resolve("histograms").resolve(name);
            if (!Files.exists(f)) {
                continue;
            }
            Histogram sum = new Histogram(3);
            try (InputStream in = Files.newInputStream(f)) {
                HistogramLogReader r = new HistogramLogReader(in);
                EncodableHistogram e;
                while ((e = r.nextIntervalHistogram()) != null) {
                    if (e instanceof Histogram h) {
                        sum.add(h);
                    }
                }
            }
            return sum;
        }
        return null;
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
