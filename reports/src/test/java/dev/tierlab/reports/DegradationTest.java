package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.reports.stats.SampleStats;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-point degradation: median of per-pair ratios, both per-token time and throughput, disturbed pairs left out. */
class DegradationTest {

    @TempDir
    Path dir;

    private static RunData run(RunFixture f, Path dir) {
        return RunData.read(List.of(f.write(dir)));
    }

    @Test
    void medianOfPerPairRatiosFromDecodeTimesAndFromThroughput() {
        RunFixture f = new RunFixture(1).pairedPoint("w/bw=0.5x", Map.of("bw", "0.5x"), 8, 0.8, 0.75, 10, 0.01, 16);
        RunData d = run(f, dir);
        PointData p = PointData.of(d.records(), false).getFirst();
        assertEquals(8, p.pairs().size());
        // by hand, from the lines: per pair, baseline median decode ms / emulated median decode ms
        double[] byHand = p.pairs().stream().mapToDouble(x -> SampleStats.median(x.baseline().host().decodeMs())
                / SampleStats.median(x.emulated().host().decodeMs())).toArray();
        PointSummary s = PointSummary.of(List.of(p)).getFirst();
        assertEquals(SampleStats.median(byHand), s.decode().ratio().estimate(), 1e-12);
        double[] tgByHand = p.pairs().stream().mapToDouble(x -> x.emulated().host().tgTps() / x.baseline().host().tgTps()).toArray();
        assertEquals(SampleStats.median(tgByHand), s.tg().ratio().estimate(), 1e-12);
        assertEquals(Metric.DECODE, s.primaryMetric());
        assertTrue(s.decode().conclusive());
        assertTrue(s.decode().ratio().contains(0.8), "the true ratio is inside: " + s.decode().ratio());
        assertTrue(s.decode().precision() < 0.02, "1% noise, 8 pairs: " + s.decode().precision());
        // reference: exact 0.75 per pair
        assertEquals(0.75, s.reference().median(), 1e-12);
        assertEquals(0.75, s.reference().min(), 1e-12);
        assertEquals("reference h200", s.reference().source());
        // throughput interval on the log scale
        assertTrue(s.tgTps().low() > 0 && s.tgTps().low() < s.tgTps().estimate());
        assertEquals(9.0, s.tierP99Us().get("hbf")[0], 1e-12);
    }

    @Test
    void pairsAreMatchedByTheirPairIndexWhateverTheLineOrder() {
        // every pair has its own speed (10, 20, ... ms), the emulated half 1/0.8 slower: only right pairing gives 0.8 each
        RunFixture f = new RunFixture(9);
        for (int p = 0; p < 6; p++) {
            f.lines().add(f.v2Line("w/x", 0, Map.of("bw", "1x"), "emulated", p, (10 + 10 * p) / 0.8, 64, 80, 0));
        }
        for (int p = 5; p >= 0; p--) {
            f.lines().add(f.v2Line("w/x", 0, Map.of("bw", "1x"), "baseline", p, 10 + 10 * p, 64, 100, 0));
        }
        PointData d = PointData.of(run(f, dir).records(), false).getFirst();
        assertEquals(6, d.pairs().size());
        for (PointData.Pair p : d.pairs()) {
            assertEquals(p.index(), p.baseline().pair());
            assertEquals(p.index(), p.emulated().pair());
            assertEquals(0.8, Metric.DECODE.ratio(p.baseline(), p.emulated()), 0.01);
        }
    }

    @Test
    void fallsBackToItlP50WithoutDecodeArrays() {
        RunFixture f = new RunFixture(2).pairedPoint("w/x", Map.of("bw", "1x"), 6, 0.9, 0.9, 10, 0.01, 8);
        f.lines().forEach(m -> m.remove("decode_ms"));
        PointSummary s = PointSummary.of(PointData.of(run(f, dir).records(), false)).getFirst();
        double[] byHand = PointData.of(run(f, dir).records(), false).getFirst().pairs().stream()
                .mapToDouble(x -> x.baseline().host().itlP50Ms() / x.emulated().host().itlP50Ms()).toArray();
        assertEquals(SampleStats.median(byHand), s.decode().ratio().estimate(), 1e-12);
    }

    @Test
    void disturbedPairsAreLeftOutUnlessAskedFor() {
        RunFixture f = new RunFixture(3).pairedPoint("w/x", Map.of("bw", "1x"), 7, 0.9, 0.9, 10, 0.01, 8).disturb("w/x", 2).disturb("w/x", 5);
        RunData d = run(f, dir);
        PointData clean = PointData.of(d.records(), false).getFirst();
        assertEquals(5, clean.pairs().size());
        assertTrue(clean.pairs().stream().noneMatch(p -> p.index() == 2 || p.index() == 5));
        assertEquals(7, clean.baseline().size(), "the undisturbed baseline halves stay as lines");
        assertEquals(7, PointData.of(d.records(), true).getFirst().pairs().size());
        assertEquals(2, d.disturbed().size());
    }

    @Test
    void fewPairsOrNoChangeReadAsInconclusive() {
        RunFixture f = new RunFixture(4).pairedPoint("w/a", Map.of("bw", "1x"), 3, 0.5, 0.5, 10, 0.01, 8)
                .pairedPoint("w/b", Map.of("bw", "2x"), 10, 1.0, 1.0, 10, 0.02, 8);
        List<PointSummary> s = PointSummary.of(PointData.of(run(f, dir).records(), false));
        assertFalse(s.get(0).decode().conclusive());
        assertEquals("inconclusive: n=3 < 6", RatioText.of(s.get(0).decode()));
        assertFalse(s.get(1).decode().conclusive());
        assertTrue(RatioText.of(s.get(1).decode()).startsWith("inconclusive ("), RatioText.of(s.get(1).decode()));
        assertFalse(RatioText.of(s.get(1).decode()).matches("^[0-9].*"), "no bare number for an inconclusive point");
    }

    @Test
    void v1RunsCompareEveryPointWithTheWorkloadsBaselinePointUnpaired() throws Exception {
        java.nio.file.Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder();
        double[] base = {10, 10.2, 9.9};
        double[] slow = {12.5, 12.4, 12.6};
        for (int i = 0; i < 3; i++) {
            sb.append(ResultRecordTest.V1.replace("\"repeat\":1", "\"repeat\":" + i).replace("\"p50\":80.0", "\"p50\":" + base[i])).append('\n');
            sb.append(ResultRecordTest.V1.replace("\"repeat\":1", "\"repeat\":" + i).replace("\"p50\":80.0", "\"p50\":" + slow[i])
                    .replace("\"baseline\":true", "\"baseline\":false").replace("\"point\":{}", "\"point\":{\"bw\":\"1GB/s\"}")
                    .replace("p16-n4-d0/baseline", "p16-n4-d0/bw=1GB_s").replace("\"point_index\":0", "\"point_index\":1")
                    .replace("\"modelled_step_ms\":null", "\"modelled_step_ms\":12.0")).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("results.jsonl"), sb);
        List<PointData> pts = PointData.of(RunData.read(List.of(dir)).records(), false);
        assertEquals(2, pts.size());
        assertTrue(pts.get(0).baselinePoint());
        assertNull(pts.get(0).ratioSample(Metric.DECODE));
        PointData emu = pts.get(1);
        assertFalse(emu.paired());
        assertEquals(3, emu.baseline().size());
        PointSummary s = PointSummary.of(pts).get(1);
        assertEquals(SampleStats.median(base) / SampleStats.median(slow), s.decode().ratio().estimate(), 1e-12);
        assertFalse(s.decode().paired());
        // v1 reference: baseline measured step / modelled step
        assertEquals(81 / 12.0, s.reference().median(), 1e-12);
        assertEquals("analytical model", s.reference().source());
        assertEquals(3, s.n());
    }
}
