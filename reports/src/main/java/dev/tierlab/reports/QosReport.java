package dev.tierlab.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report of a serving run (serving.jsonl): per tier configuration, p50 and p99 TPOT and TTFT
 * against offered load, the highest load that meets the SLO, and the knee of p99 TPOT. Written as
 * qos.csv, report.md, report.html and curves/*.svg (+ .png), from the result file alone.
 *
 * <p>The knee is the highest load run before p99 TPOT first exceeds {@value #KNEE_FACTOR} times its
 * value at the lowest load: where queueing and batching start to dominate a step's cost. The highest
 * load meeting the SLO is the highest load run such that it and every lower load meet both p99
 * targets (a load above a failing one is not trusted to recover).
 */
public final class QosReport {

    static final double KNEE_FACTOR = 2.0;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One configuration's curve, loads ascending. */
    public record Curve(String config, double[] offered, double[] p50Tpot, double[] p99Tpot, double[] p50Ttft, double[] p99Ttft,
            double[] goodput, boolean[] meets, long[] n, double[] tpotCiLow, double[] tpotCiHigh) {
    }

    /** The answer for one configuration; NaN where no load qualifies (knees: none within the loads run). */
    public record Answer(String config, double highestMeetingSlo, double knee, double ttftKnee) {
    }

    private QosReport() {
    }

    public static List<Curve> curves(List<JsonNode> rows) {
        Map<String, List<JsonNode>> by = new LinkedHashMap<>();
        rows.forEach(r -> by.computeIfAbsent(r.path("config").asText(), k -> new ArrayList<>()).add(r));
        List<Curve> out = new ArrayList<>();
        for (var e : by.entrySet()) {
            List<JsonNode> l = new ArrayList<>(e.getValue());
            l.sort((a, b) -> Double.compare(a.path("offered_rps").asDouble(), b.path("offered_rps").asDouble()));
            int n = l.size();
            double[] x = new double[n];
            double[] t50 = new double[n];
            double[] t99 = new double[n];
            double[] f50 = new double[n];
            double[] f99 = new double[n];
            double[] good = new double[n];
            boolean[] meets = new boolean[n];
            long[] count = new long[n];
            double[] ciLow = new double[n];
            double[] ciHigh = new double[n];
            for (int i = 0; i < n; i++) {
                JsonNode r = l.get(i);
                x[i] = r.path("offered_rps").asDouble();
                t50[i] = r.path("tpot_ms").path("p50").asDouble(Double.NaN);
                t99[i] = r.path("tpot_ms").path("p99").asDouble(Double.NaN);
                f50[i] = r.path("ttft_ms").path("p50").asDouble(Double.NaN);
                f99[i] = r.path("ttft_ms").path("p99").asDouble(Double.NaN);
                good[i] = r.path("goodput_rps").asDouble();
                meets[i] = r.path("meets_slo").asBoolean();
                count[i] = r.path("requests").asLong();
                JsonNode ci = r.path("tpot_ms").path("p99_ci");
                ciLow[i] = ci.isArray() ? ci.get(0).asDouble() : Double.NaN;
                ciHigh[i] = ci.isArray() ? ci.get(1).asDouble() : Double.NaN;
            }
            out.add(new Curve(e.getKey(), x, t50, t99, f50, f99, good, meets, count, ciLow, ciHigh));
        }
        return out;
    }

    public static Answer answer(Curve c) {
        double highest = Double.NaN;
        for (int i = 0; i < c.offered().length && c.meets()[i]; i++) {
            highest = c.offered()[i];
        }
        return new Answer(c.config(), highest, knee(c.offered(), c.p99Tpot()), knee(c.offered(), c.p99Ttft()));
    }

    /**
     * The other inversion: at each offered load, which tier configurations hold the SLO there (with
     * every lower load), so a reader finds the slowest tier that still serves a given load.
     */
    static String slosByLoad(List<Curve> curves) {
        java.util.TreeSet<Double> loads = new java.util.TreeSet<>();
        curves.forEach(c -> java.util.Arrays.stream(c.offered()).forEach(loads::add));
        if (loads.isEmpty() || curves.size() < 2) {
            return "";
        }
        StringBuilder md = new StringBuilder("| offered (req/s) | configurations that hold the SLO up to this load | configurations that miss it |\n|---|---|---|\n");
        for (double load : loads) {
            List<String> hold = new ArrayList<>();
            List<String> miss = new ArrayList<>();
            for (Curve c : curves) {
                int i = java.util.Arrays.binarySearch(c.offered(), load);
                if (i < 0) {
                    continue;
                }
                boolean upTo = true;
                for (int j = 0; j <= i; j++) {
                    upTo &= c.meets()[j];
                }
                (upTo ? hold : miss).add(c.config());
            }
            md.append("| ").append(num(load)).append(" | ").append(hold.isEmpty() ? "none" : String.join(", ", hold)).append(" | ")
                    .append(miss.isEmpty() ? "none" : String.join(", ", miss)).append(" |\n");
        }
        return md.append("\n").toString();
    }

    /** The highest load before {@code y} first exceeds KNEE_FACTOR x its value at the lowest load; NaN if it never does. */
    static double knee(double[] x, double[] y) {
        if (x.length == 0 || Double.isNaN(y[0])) {
            return Double.NaN;
        }
        for (int i = 1; i < x.length; i++) {
            if (y[i] > KNEE_FACTOR * y[0]) {
                return x[i - 1];
            }
        }
        return Double.NaN;
    }

    /** Builds the report into the run directory; returns report.html's path. */
    public static Path build(Path runDir) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("serving.jsonl"))) {
            if (!line.isBlank()) {
                rows.add(JSON.readTree(line));
            }
        }
        List<Curve> curves = curves(rows);
        String name = runDir.getFileName().toString();
        Path yaml = runDir.resolve("scenario.yaml");
        String question = null;
        if (Files.exists(yaml)) {
            question = ScenarioText.question(Files.readString(yaml)).orElse(null);
        }
        JsonNode slo = rows.isEmpty() ? JSON.createObjectNode() : rows.getFirst().path("slo");
        StringBuilder csv = new StringBuilder("config,offered_rps,requests,goodput_rps,meets_slo,ttft_p50_ms,ttft_p99_ms,tpot_p50_ms,tpot_p99_ms,"
                + "tpot_p99_ci_low_ms,tpot_p99_ci_high_ms\n");
        for (Curve c : curves) {
            for (int i = 0; i < c.offered().length; i++) {
                csv.append(String.format(Locale.ROOT, "\"%s\",%s,%d,%s,%s,%s,%s,%s,%s,%s,%s%n", c.config(), num(c.offered()[i]), c.n()[i],
                        num(c.goodput()[i]), c.meets()[i], num(c.p50Ttft()[i]), num(c.p99Ttft()[i]), num(c.p50Tpot()[i]), num(c.p99Tpot()[i]),
                        num(c.tpotCiLow()[i]), num(c.tpotCiHigh()[i])));
            }
        }
        Files.writeString(runDir.resolve("qos.csv"), csv);
        List<Path> charts = new ArrayList<>();
        charts.add(chart(curves, "p99 and p50 time per output token vs offered load", "TPOT (ms, reference time)", true, runDir.resolve("curves/qos-tpot")));
        charts.add(chart(curves, "p99 and p50 time to first token vs offered load", "TTFT (ms, reference time)", false, runDir.resolve("curves/qos-ttft")));
        StringBuilder md = new StringBuilder("# " + name + "\n\n");
        if (question != null) {
            md.append("**Question.** ").append(question).append("\n\n");
        }
        md.append("SLO: p99 TTFT ").append(slo.path("ttft_p99_ms").isNumber() ? slo.path("ttft_p99_ms").asText() + " ms" : "none")
                .append(", p99 TPOT ").append(slo.path("tpot_p99_ms").isNumber() ? slo.path("tpot_p99_ms").asText() + " ms" : "none")
                .append(" (reference time; TTFT from each request's scheduled arrival).\n\n");
        md.append("| configuration | highest load meeting the SLO (req/s) | knee of p99 TPOT (req/s) | knee of p99 TTFT (req/s) |\n|---|---|---|---|\n");
        for (Curve c : curves) {
            Answer a = answer(c);
            md.append("| ").append(c.config()).append(" | ")
                    .append(Double.isNaN(a.highestMeetingSlo()) ? "none of the loads run" : num(a.highestMeetingSlo())).append(" | ")
                    .append(Double.isNaN(a.knee()) ? "beyond the loads run" : num(a.knee())).append(" | ")
                    .append(Double.isNaN(a.ttftKnee()) ? "beyond the loads run" : num(a.ttftKnee())).append(" |\n");
        }
        md.append("\nKnee: the highest load before the p99 exceeds ").append(num(KNEE_FACTOR))
                .append("x its value at the lowest load. Highest load meeting the SLO: it and every lower load meet both p99 targets.\n\n");
        md.append(slosByLoad(curves));
        md.append("| configuration | offered (req/s) | n | goodput (req/s) | TTFT p50 / p99 (ms) | TPOT p50 / p99 (ms) | TPOT p99 95% CI (ms) | SLO |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (Curve c : curves) {
            for (int i = 0; i < c.offered().length; i++) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s / %s | %s / %s | %s | %s |%n", c.config(), num(c.offered()[i]), c.n()[i],
                        num(c.goodput()[i]), num(c.p50Ttft()[i]), num(c.p99Ttft()[i]), num(c.p50Tpot()[i]), num(c.p99Tpot()[i]),
                        Double.isNaN(c.tpotCiLow()[i]) ? "n/a (n < 300)" : num(c.tpotCiLow()[i]) + " - " + num(c.tpotCiHigh()[i]),
                        c.meets()[i] ? "met" : "missed"));
            }
        }
        md.append("\nCharts: ").append(String.join(", ", charts.stream().map(p -> runDir.relativize(p).toString()).toList())).append("\n");
        Files.writeString(runDir.resolve("report.md"), md);
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(name))
                .append("</title><style>body{font-family:sans-serif;max-width:980px;margin:2em auto}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>");
        html.append("<pre style=\"white-space:pre-wrap;font-family:inherit\">").append(esc(md.toString())).append("</pre>");
        for (Path svg : charts) {
            html.append(Files.readString(svg).replaceFirst("^<\\?xml[^>]*>", ""));
        }
        html.append("</body></html>\n");
        Path out = runDir.resolve("report.html");
        Files.writeString(out, html);
        return out;
    }

    private static Path chart(List<Curve> curves, String title, String yLabel, boolean tpot, Path base) throws IOException {
        XYChart chart = new XYChartBuilder().width(820).height(480).title(title).xAxisTitle("offered load (requests/s, reference time)")
                .yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisLogarithmic(true);
        for (Curve c : curves) {
            double[] p99 = tpot ? c.p99Tpot() : c.p99Ttft();
            double[] p50 = tpot ? c.p50Tpot() : c.p50Ttft();
            if (java.util.Arrays.stream(p99).anyMatch(v -> !(v > 0))) {
                continue; // a log axis cannot draw zeros (one-token outputs have no TPOT)
            }
            chart.addSeries(c.config() + " p99", c.offered(), p99).setMarker(SeriesMarkers.CIRCLE);
            chart.addSeries(c.config() + " p50", c.offered(), p50).setMarker(SeriesMarkers.DIAMOND)
                    .setLineStyle(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                            new float[] {4f, 3f}, 0f));
        }
        return Charts.save(chart, base);
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 1 ? "%.3g" : "%.3g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
