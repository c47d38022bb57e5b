package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole report from a synthetic v2 run: answer first, the evidence after, honest about noise and tails. */
class ReportBuilderTest {

    @TempDir
    Path dir;

    private static final String[] BW = {"2x", "1x", "0.5x", "0.25x"};

    private Path v2Run(Path where) {
        RunFixture f = new RunFixture(21).yaml("""
                # Question: how much HBF bandwidth keeps decode within 10% of HBM-only?
                name: fixture
                precision: 0.02
                sweep:
                  tiers.hbf.read_bandwidth: [2x, 1x, 0.5x, 0.25x]
                """);
        for (String bw : BW) {
            double r = RunFixture.trueRatio(Double.parseDouble(bw.replace("x", "")), 0.1);
            f.pairedPoint("p16-n32-d0/bw=" + bw, Map.of("tiers.hbf.read_bandwidth", bw), 8, r, Math.max(0.5, r - 0.03), 10, 0.01, 32);
        }
        f.disturb("p16-n32-d0/bw=0.5x", 3);
        return f.write(where);
    }

    @Test
    void reportOpensWithTheQuestionAndAnAnswerWithItsInterval() throws IOException {
        Path run = v2Run(dir.resolve("run"));
        ReportBuilder.Report rep = ReportBuilder.build(List.of(run), run);
        String html = Files.readString(rep.html());
        String md = Files.readString(rep.markdown());

        int q = html.indexOf("how much HBF bandwidth keeps decode within 10% of HBM-only?");
        int a = html.indexOf("<b>Answer.</b>");
        int points = html.indexOf("<h2>Points</h2>");
        int noise = html.indexOf("<h2>Noise floor</h2>");
        assertTrue(q > 0 && a > q && noise > a && points > noise, "question, answer, noise floor, then the points");
        assertTrue(rep.headline().answer().matches("To keep decode speed \\(per-token time\\) within 10% of baseline on p16-n32-d0, "
                + "tiers\\.hbf\\.read_bandwidth must be at least 0\\.\\d+x \\(95% CI 0\\.\\d+x–\\d\\.\\d+x\\)\\."), rep.headline().answer());
        assertTrue(md.indexOf("**Question.**") < md.indexOf("**Answer.**") && md.indexOf("**Answer.**") < md.indexOf("## Points"));

        // noise floor header
        assertTrue(html.contains("Memory-bandwidth sentinel: median"), "sentinel");
        assertTrue(html.contains("Disturbed repeats: 1 of 64, left out of the curves"), "disturbed count");
        assertTrue(html.contains("Pair-to-pair noise (SD of ln per-pair ratio, decode): "));
        assertTrue(Pattern.compile("At 8 pairs and the observed per-pair SD of [0-9.]+%, power to detect a 5% effect is \\d+%").matcher(html).find());
        assertTrue(html.contains("Target precision ±2.0%: reached at"));

        // the points table fits a laptop: 8 columns
        Matcher head = Pattern.compile("<h2>Points</h2><table><tr>(.*?)</tr>").matcher(html);
        assertTrue(head.find());
        assertEquals(8, head.group(1).split("<th").length - 1);
        assertTrue(html.contains("reference") && html.contains("Measured: median over pairs"));
        // tails: 32 tokens x 8 repeats = 256 per side: p99 printed without interval, p99.9 n/a
        assertTrue(html.contains("n/a (n=256)"), "p99.9 is not printable from 256 samples");
        assertTrue(html.contains("n/a (n=224)"), "the point with a disturbed pair pools 7 repeats");
        // disturbed repeat listed
        assertTrue(html.contains("<h2>Disturbed repeats</h2><table>"));
        assertTrue(html.contains("<td class=l>p16-n32-d0/bw=0.5x</td><td class=l>emulated</td><td>3</td>"));
        // requirement rows and reference
        assertEquals(3, rep.requirements().size());
        assertTrue(html.contains("measured: must be (95% CI)"));
        // plots: the curve and the tails, inline
        assertTrue(Files.exists(run.resolve("curves/p16-n32-d0-tiers.hbf.read_bandwidth.png")));
        assertTrue(Files.exists(run.resolve("curves/p16-n32-d0-itl-tail.svg")));
        RunData data = RunData.read(List.of(run));
        List<PointData> pd = PointData.of(data.records(), false);
        ReportBuilder.TailSeries ts = ReportBuilder.tailSeries(PointSummary.of(pd), LatencyTail.collect(data, pd));
        assertEquals("baseline", ts.names().getFirst(), "the baseline's tail is drawn beside the emulated ones");
        assertTrue(ts.baseline().getFirst());
        assertEquals(4 * 8 * 32, ts.tails().getFirst().n(), "pooled over the workload's baseline lines");
        assertEquals(5, ts.names().size());
        var chart = Charts.tailLatency("t", ts.names(), ts.tails(), ts.baseline());
        assertTrue(chart.getSeriesMap().containsKey("baseline (n=1024)"));
        // each curve stops where its sample stops supporting percentiles: x = log10(1/(1-q)) <= log10(n)
        var emu = chart.getSeriesMap().get(ts.names().get(1) + " (n=256)");
        double maxX = java.util.Arrays.stream(emu.getXData()).max().orElseThrow();
        assertTrue(maxX <= Math.log10(256) + 1e-9, "drawn to " + maxX);
        assertFalse(html.contains("<script") || html.contains("src=\"http"), "self-contained");

        List<String> csv = Files.readAllLines(rep.summaryCsv());
        assertEquals(1 + 4, csv.size());
        List<String> header = List.of(csv.getFirst().split(","));
        assertTrue(header.containsAll(List.of("decode_ratio", "decode_ci95_low", "decode_precision", "decode_verdict", "ref_ratio",
                "tg_tps_gmean", "itl_p99_ms", "itl_p999_ms", "tier_hbf_device_p99_us", "tier_hbf_queue_p99_us", "disturbed_lines")));
        String[] row = csv.get(3).split(",");
        assertEquals("", row[header.indexOf("itl_p999_ms")], "p99.9 not printable: empty cell");
        assertEquals("1", row[header.indexOf("disturbed_lines")]);
        assertEquals("7", row[header.indexOf("n")]);
    }

    @Test
    void includingDisturbedRepeatsIsAnOption() throws IOException {
        Path run = v2Run(dir.resolve("run"));
        ReportBuilder.Report rep = ReportBuilder.build(List.of(run), dir.resolve("out"),
                new ReportBuilder.Options(true, Requirements.DEFAULT_TARGETS, 2000));
        assertEquals(8, rep.points().get(2).n());
        assertTrue(Files.readString(rep.html()).contains("kept in the curves"));
    }

    @Test
    void traceModeRunsAnswerFromTheReferenceModelAndSaySo() throws IOException {
        RunFixture f = new RunFixture(23);
        for (String bw : BW) {
            double r = RunFixture.trueRatio(Double.parseDouble(bw.replace("x", "")), 0.1);
            f.pairedPoint("w/bw=" + bw, Map.of("tiers.hbf.read_bandwidth", bw), 3, r, r, 10, 0.01, 8);
        }
        asTraceMode(f);
        Path run = f.write(dir.resolve("trace"));
        ReportBuilder.Report rep = ReportBuilder.build(List.of(run), run);
        assertEquals(3, rep.requirements().size());
        Requirements.Row r10 = rep.requirements().get(1);
        assertFalse(r10.estimate().present());
        assertTrue(r10.reference().present());
        assertEquals("no host measurement", r10.requirementText());
        assertTrue(rep.headline().answer().startsWith("No host measurement (reference model only): to keep decode throughput within 10%"),
                rep.headline().answer());
        assertTrue(rep.points().stream().allMatch(p -> p.degradation().n() == 0));
    }

    @Test
    void theScenariosOwnTargetsMakeTheTableAndTheAnswer() throws IOException {
        RunFixture f = new RunFixture(25).yaml("name: t\ntargets: [2.2%, 5%]\n");
        for (String bw : BW) {
            double r = RunFixture.trueRatio(Double.parseDouble(bw.replace("x", "")), 0.1);
            f.pairedPoint("w/bw=" + bw, Map.of("tiers.hbf.read_bandwidth", bw), 8, r, r, 10, 0.01, 8);
        }
        Path run = f.write(dir.resolve("targets"));
        ReportBuilder.Report rep = ReportBuilder.build(List.of(run), run);
        assertEquals(List.of(0.022, 0.05), rep.requirements().stream().map(Requirements.Row::targetLoss).distinct().toList());
        assertTrue(rep.headline().answer().contains("within 2.2% of baseline"), rep.headline().answer());
    }

    /** Trace mode over a discrete axis has no requirement curve: the answer is the reference's slowest point. */
    @Test
    void traceModeRunsOverADiscreteAxisAnswerWithTheReferencesSlowestPoint() throws IOException {
        RunFixture f = new RunFixture(24);
        f.pairedPoint("w/access=direct", Map.of("access", "direct"), 3, 0.9, 0.9, 10, 0.01, 8);
        f.pairedPoint("w/access=staged", Map.of("access", "staged"), 3, 0.6, 0.6, 10, 0.01, 8);
        asTraceMode(f);
        Path run = f.write(dir.resolve("trace-discrete"));
        ReportBuilder.Report rep = ReportBuilder.build(List.of(run), run);
        assertTrue(rep.requirements().isEmpty());
        assertTrue(rep.headline().answer().matches("No host measurement \\(reference model only\\): at the slowest point, access=staged, "
                + "the reference h200 puts decode throughput at 0\\.6\\d*× baseline: 40% slower\\."), rep.headline().answer());
    }

    @Test
    void aRunWithoutAnyEffectSaysSoInsteadOfANumber() throws IOException {
        RunFixture f = new RunFixture(22).yaml("name: same\nquestion: Does the mode matter?\n");
        f.pairedPoint("w/mode=inject", Map.of("mode", "inject"), 8, 1.0, 1.0, 10, 0.02, 16);
        f.pairedPoint("w/mode=copy", Map.of("mode", "copy"), 8, 1.0, 1.0, 10, 0.02, 16);
        Path run = f.write(dir.resolve("same"));
        ReportBuilder.Report rep = ReportBuilder.build(List.of(run), run);
        assertTrue(rep.requirements().isEmpty(), "a discrete axis is not inverted");
        assertTrue(rep.headline().answer().startsWith("No point is measurably different from baseline"), rep.headline().answer());
        String html = Files.readString(rep.html());
        assertTrue(html.contains("Does the mode matter?"));
        assertTrue(html.contains("inconclusive ("), "points read inconclusive");
    }

    /**
     * A mixture-of-experts run with an expert cache gets a table of each point's cache hit rate over its
     * emulated repeats (median and range); points without lookups are left out, and a run without any
     * has no table.
     */
    @Test
    void expertCacheHitRatesAreTabledPerPoint() throws IOException {
        RunFixture f = new RunFixture(26);
        f.pairedPoint("w/cache=256", Map.of("cache.capacity", "256 experts"), 3, 0.8, 0.8, 10, 0.01, 8);
        f.pairedPoint("w/cache=none", Map.of("cache.capacity", "none"), 3, 0.7, 0.7, 10, 0.01, 8);
        double[] rates = {0.46, 0.41, 0.52};
        int i = 0;
        for (Map<String, Object> m : f.lines()) {
            if (m.get("role").equals("emulated") && m.get("point_id").equals("w/cache=256")) {
                m.put("moe", Map.of("expert_cache_hit_rate", rates[i++]));
            }
        }
        Path run = f.write(dir.resolve("moe"));
        ReportBuilder.Report rep = ReportBuilder.build(List.of(run), run);
        String md = Files.readString(run.resolve("report.md"));
        assertTrue(md.contains("## Expert cache"), md);
        String section = md.substring(md.indexOf("## Expert cache"), md.indexOf("## Tails"));
        assertTrue(section.contains("| cache.capacity=256 experts | 3 | 46.0% (41.0–52.0%) |"), section);
        assertFalse(section.contains("cache.capacity=none"), "a point without lookups has no row: " + section);
        assertTrue(Files.readString(rep.html()).contains("<h2>Expert cache</h2>"));

        Path dense = v2Run(dir.resolve("dense"));
        ReportBuilder.build(List.of(dense), dense);
        assertFalse(Files.readString(dense.resolve("report.md")).contains("Expert cache"));
    }

    /** Makes a fixture's emulated lines what trace mode writes: reference figures, no host measurement. */
    private static void asTraceMode(RunFixture f) {
        for (Map<String, Object> m : f.lines()) {
            if (m.get("role").equals("emulated")) {
                m.put("mode", "trace");
                m.remove("decode_ms");
                m.put("tg_tps", null);
                m.put("pp_tps", null);
                m.put("itl_ms", Map.of());
            }
        }
    }
}
