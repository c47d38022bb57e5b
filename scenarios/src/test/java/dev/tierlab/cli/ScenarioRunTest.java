package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tierlab run end to end on real llama.cpp generations: the run directory, resume, shards, report, compare. */
class ScenarioRunTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path scenario(String name, String flashBandwidths, int repeats, int gen) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, """
                # Question: a test sweep.
                name: %s
                model: {preset: tiny, quant: q8_0}
                threads: 1
                workload: {prompt: [16], generate: [%d]}
                repeats: %d
                warmup: 0
                tiers:
                  flash: {class: flash, read_bandwidth: 1GB/s, granularity: 64KiB, channels: 2, latency: 20us}
                placement:
                  weights: [{tier: flash, match: "blk.*"}]
                sweep:
                  tiers.flash.read_bandwidth: [%s]
                """.formatted(name, gen, repeats, flashBandwidths));
        return f;
    }

    private static List<JsonNode> results(Path run) throws IOException {
        return Files.readAllLines(run.resolve("results.jsonl")).stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void writesTheRunDirectoryOfTheContractAndAReport() throws IOException {
        Path run = dir.resolve("run");
        CliTest.Result r = CliTest.run("run", scenario("two", "4GB/s, 1GB/s", 2, 8).toString(), "--out", run.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("report: " + run.resolve("report.html")), r.out());

        List<JsonNode> rows = results(run);
        assertEquals(3 * 2, rows.size());
        for (String field : List.of("point", "repeat", "engine", "model", "n_prompt", "n_gen", "pp_tps", "tg_tps", "ttft_ms",
                "e2e_ms", "itl_ms", "tiers", "modelled_step_ms", "measured_step_ms", "engine_counters")) {
            assertTrue(rows.getFirst().has(field), field);
        }
        JsonNode model = rows.getFirst().get("model");
        assertEquals(64, model.get("sha256").asText().length());
        assertTrue(model.get("params").asLong() > 1_000_000);
        for (String p : List.of("p50", "p90", "p99", "p999", "max")) {
            assertTrue(rows.getFirst().get("itl_ms").has(p));
        }
        JsonNode slow = rows.stream().filter(n -> n.get("point").path("tiers.flash.read_bandwidth").asText().equals("1GB/s")).findFirst().orElseThrow();
        assertTrue(slow.get("tiers").get("flash").get("bytes_read").asLong() > 0);
        assertTrue(slow.get("modelled_step_ms").asDouble() > 0);
        assertEquals(8, slow.get("engine_counters").get("n_eval").asInt());
        assertTrue(rows.getFirst().get("baseline").asBoolean());

        JsonNode env = JSON.readTree(run.resolve("env.json").toFile());
        for (String k : List.of("cpu", "cores", "kernel", "jvm", "tierlab_version", "tierlab_git_sha", "seed", "start_time",
                "end_time", "load_average_start", "cache_mode")) {
            assertTrue(env.has(k), k);
        }
        assertTrue(Files.readString(run.resolve("scenario.yaml")).contains("read_bandwidth"));
        assertEquals(2, intervals(run.resolve("histograms/000-itl.hlog")));
        assertEquals(2, intervals(run.resolve("histograms/002-tier-flash.hlog")));
        assertEquals(4, Files.readAllLines(run.resolve("summary.csv")).size());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<svg"));
        assertFalse(html.contains("src=\"http") || html.contains("<link") || html.contains("<script"), "self-contained");
        assertTrue(Files.size(run.resolve("curves/p16-n8-d0-tiers.flash.read_bandwidth.png")) > 1000);
        assertTrue(Files.exists(run.resolve("curves/p16-n8-d0-itl-tail.svg")));
        assertTrue(Files.readString(run.resolve("report.md")).contains("| to keep decode within |"));

        CliTest.Result again = CliTest.run("run", scenario("two", "4GB/s, 1GB/s", 2, 8).toString(), "--out", run.toString());
        assertEquals(2, again.exit(), "refuses to overwrite a run");
        assertTrue(again.err().contains("--resume"), again.err());

        // 2 repeats per point: compare must refuse a verdict (CompareCommandTest covers told-apart and not-told-apart runs)
        CliTest.Result cmp = CliTest.run("compare", run.toString(), run.toString());
        assertEquals(0, cmp.exit(), cmp.err());
        assertTrue(cmp.out().contains("inconclusive: n<5 per side"), cmp.out());
        assertFalse(cmp.out().contains("B lower") || cmp.out().contains("B higher"), cmp.out());
    }

    private static int intervals(Path hlog) throws IOException {
        int n = 0;
        try (InputStream in = Files.newInputStream(hlog)) {
            HistogramLogReader r = new HistogramLogReader(in);
            while (r.nextIntervalHistogram() != null) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aKilledRunKeepsEveryFinishedRepeatAndResumesTheRest() throws Exception {
        // 1 MB/s-class flash makes each emulated repeat take about a second, so the kill lands mid-run.
        Path sc = scenario("slow", "0.02GB/s, 0.03GB/s", 3, 4);
        Path run = dir.resolve("killed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                TierlabCli.class.getName(), "run", sc.toString(), "--out", run.toString(), "--no-report")
                .redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path results = run.resolve("results.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive() && (!Files.exists(results) || Files.readAllLines(results).size() < 3)) {
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        List<String> before = Files.readAllLines(results);
        assertTrue(before.size() >= 3 && before.size() < 9, "killed mid-run with " + before.size() + " of 9 repeats: "
                + Files.readString(dir.resolve("killed.log")));

        CliTest.Result resumed = CliTest.run("run", sc.toString(), "--resume", run.toString());
        assertEquals(0, resumed.exit(), resumed.err());
        List<String> after = Files.readAllLines(results);
        assertEquals(9, after.size());
        assertEquals(before, after.subList(0, before.size()), "finished repeats are kept as they were");
        Set<String> keys = new HashSet<>();
        for (JsonNode n : results(run)) {
            assertTrue(keys.add(n.get("point_id").asText() + "#" + n.get("repeat").asInt()), "no repeat twice");
        }
        assertTrue(resumed.out().contains("(%d kept from before)".formatted(before.size())), resumed.out());
    }

    @Test
    void coldRunsDropTheModelsPagesBeforeEveryRepeatAndSaySo() throws IOException {
        Path f = dir.resolve("cold.yaml");
        Files.writeString(f, """
                name: cold
                model: {preset: tiny, quant: q8_0}
                threads: 1
                workload: {prompt: [8], generate: [4], cache: cold}
                repeats: 2
                warmup: 0
                """);
        Path run = dir.resolve("cold-run");
        CliTest.Result r = CliTest.run("run", f.toString(), "--out", run.toString(), "--no-report");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("posix_fadvise"), "the kernel accepted the advice: " + r.err());
        assertTrue(JSON.readTree(run.resolve("env.json").toFile()).get("cache_mode").asText().startsWith("cold"));
        List<JsonNode> rows = results(run);
        assertEquals(2 * 2, rows.size(), "baseline and the scenario's own point, two repeats each");
        assertTrue(rows.stream().allMatch(n -> n.get("cache").asText().equals("cold")));
        assertEquals(dev.tierlab.inference.engine.PageCache.drop(Path.of(rows.getFirst().get("model").get("file").asText())), 0);
    }

    @Test
    void shardsMergeIntoTheWholeRun() throws IOException {
        Path sc = scenario("sharded", "4GB/s, 2GB/s, 1GB/s", 1, 4);
        Path a = dir.resolve("shard1");
        Path b = dir.resolve("shard2");
        assertEquals(0, CliTest.run("run", sc.toString(), "--shard", "1/2", "--out", a.toString(), "--no-report").exit());
        assertEquals(0, CliTest.run("run", sc.toString(), "--shard", "2/2", "--out", b.toString(), "--no-report").exit());
        assertEquals(2, results(a).size());
        assertEquals(2, results(b).size());
        Path merged = dir.resolve("merged");
        CliTest.Result m = CliTest.run("merge", a.toString(), b.toString(), "-o", merged.toString());
        assertEquals(0, m.exit(), m.err());
        assertEquals(4, results(merged).size());
        assertEquals(5, Files.readAllLines(merged.resolve("summary.csv")).size());
        assertTrue(Files.exists(merged.resolve("histograms/003-itl.hlog")));
        CliTest.Result dry = CliTest.run("run", sc.toString(), "--dry-run", "--shard", "2/2");
        assertTrue(dry.out().contains("2 points x 1 repeats"), dry.out());
        assertEquals(2, CliTest.run("run", sc.toString(), "--shard", "3/2").exit());
    }
}
