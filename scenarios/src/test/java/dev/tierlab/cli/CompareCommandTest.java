package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tierlab compare and report on synthetic v2 run directories with a known difference, or none. */
class CompareCommandTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A v2 run of one point: {@code pairs} pairs, emulated decode throughput {@code tgTps} with 3% noise per repeat. */
    private Path run(String name, long seed, int pairs, double tgTps) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < pairs; p++) {
            for (String role : new String[] {"baseline", "emulated"}) {
                double tg = (role.equals("baseline") ? 20.0 : tgTps) * (1 + 0.03 * rnd.nextGaussian());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("point", Map.of("tiers.hbf.read_bandwidth", "0.5x"));
                m.put("point_id", "p16-n8-d0/bw=0.5x");
                m.put("point_index", 0);
                m.put("baseline", role.equals("baseline"));
                m.put("role", role);
                m.put("pair", p);
                m.put("repeat", p);
                m.put("n_prompt", 16);
                m.put("n_gen", 8);
                m.put("tg_tps", tg);
                m.put("pp_tps", tg * 5);
                m.put("itl_ms", Map.of("p50", 1000 / tg, "p99", 1100 / tg));
                m.put("disturbed", false);
                sb.append(JSON.writeValueAsString(m)).append('\n');
            }
        }
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve("results.jsonl"), sb);
        Files.writeString(d.resolve("scenario.yaml"), "# Question: does the new build decode slower?\nname: cmp\n");
        return d;
    }

    @Test
    void aTenPercentSlowerRunIsToldApartAndTheMethodIsStated() throws IOException {
        CliTest.Result r = CliTest.run("compare", run("a", 1, 8, 10.0).toString(), run("b", 2, 8, 9.0).toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().filter(l -> l.startsWith("p16-n8-d0/bw=0.5x")).allMatch(l -> l.endsWith("B lower")), r.out());
        assertTrue(r.out().contains("Holm-Bonferroni over all 2 tests"), r.out());
        assertTrue(r.out().contains("attained alpha, nA=8, nB=8"), r.out());
    }

    @Test
    void twoRunsOfOneConfigurationAreNotToldApart() throws IOException {
        CliTest.Result r = CliTest.run("compare", run("a", 3, 8, 10.0).toString(), run("b", 4, 8, 10.0).toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("no difference detected"), r.out());
        assertFalse(r.out().contains("B lower") || r.out().contains("B higher"), r.out());
    }

    @Test
    void fewRepeatsAreInconclusiveAndOptionsAreValidated() throws IOException {
        Path a = run("a", 5, 3, 10.0);
        Path b = run("b", 6, 3, 5.0);
        CliTest.Result r = CliTest.run("compare", a.toString(), b.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("inconclusive: n<5 per side"), r.out());
        // allowed to test at 3 per side, the exact test still cannot reject: its smallest p is 2/20
        CliTest.Result three = CliTest.run("compare", a.toString(), b.toString(), "--min-repeats", "3");
        assertTrue(three.out().contains("no difference detected"), three.out());
        assertTrue(three.out().contains("nA=3, nB=3: smallest possible p 0.1000, real false-positive rate of one test at alpha 0.05: 0.0000"),
                three.out());
        CliTest.Result bad = CliTest.run("compare", a.toString(), b.toString(), "--min-repeats", "1");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--min-repeats must be at least 2"), bad.err());
    }

    @Test
    void reportPrintsTheAnswer() throws IOException {
        Path a = run("a", 7, 8, 10.0);
        CliTest.Result r = CliTest.run("report", a.toString(), "--include-disturbed");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("answer: At the slowest point, tiers\\.hbf\\.read_bandwidth=0\\.5x, decode speed "
                + "\\(per-token time\\) is 0\\.\\d+× baseline \\(95% CI 0\\.\\d+–0\\.\\d+\\): \\d+% slower\\.")), r.out());
        assertTrue(Files.readString(a.resolve("report.html")).contains("does the new build decode slower?"));
        CliTest.Result bad = CliTest.run("report", a.toString(), "--targets", "2.2%,150%");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().strip().lines().count() == 1 && bad.err().contains("--targets: a loss target must be between 0 and 100%"), bad.err());
        assertEquals(0, CliTest.run("report", a.toString(), "--targets", "2.2%,5%").exit());
    }
}
