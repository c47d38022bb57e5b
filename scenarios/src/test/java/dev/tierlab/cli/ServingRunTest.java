package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tierlab run on a serving scenario, end to end on real llama.cpp batches: serving.jsonl, the QoS report, same seed same answer. */
class ServingRunTest {

    @TempDir
    Path dir;

    private static final String SCENARIO = """
            # Question: a test of serving?
            name: serve
            model: {preset: tiny, quant: f16}
            mode: trace
            threads: 1
            seed: 5
            reference: h200
            workload:
              kind: serving
              arrivals: {process: poisson, rate: [20000, 200000]}
              prompt: {uniform: [4, 12]}
              output: {uniform: [2, 6]}
              max_sequences: 4
              token_budget: 16
              duration: 100us
              min_requests: 12
            slo: {ttft_p99: 50us, tpot_p99: 8us}
            tiers:
              hbf: {preset: hbf, read_bandwidth: 0.5x, channels: 4096, latency: 1us}
            placement:
              weights: [{tier: hbf, match: "blk.*", access: direct}]
            sweep:
              tiers.hbf.read_bandwidth: [0.5x]
            """;

    private static List<JsonNode> lines(Path run) throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve("serving.jsonl"))) {
            out.add(m.readTree(l));
        }
        return out;
    }

    @Test
    void aServingScenarioRunsEveryConfigurationAtEveryLoadAndReportsIt() throws IOException {
        Path f = Files.writeString(dir.resolve("serve.yaml"), SCENARIO);
        Path run = dir.resolve("run");
        CliTest.Result r = CliTest.run("run", f.toString(), "--out", run.toString());
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> rows = lines(run);
        assertEquals(4, rows.size(), "baseline and one HBF point, two loads each");
        for (JsonNode row : rows) {
            assertTrue(row.path("requests").asInt() >= 12, "min_requests");
            assertEquals(row.path("requests").asInt(), row.path("ttft_ms").path("n").asInt(), "one TTFT per request");
            assertTrue(row.path("ttft_ms").path("p99").asDouble() >= row.path("ttft_uncorrected_ms").path("p99").asDouble());
        }
        // HBF is slower per step than HBM at the same load; a 10x load queues more.
        assertTrue(rows.get(2).path("tpot_ms").path("p50").asDouble() > rows.get(0).path("tpot_ms").path("p50").asDouble());
        assertTrue(rows.get(3).path("queue_ms").path("mean").asDouble() > rows.get(2).path("queue_ms").path("mean").asDouble());
        assertTrue(rows.get(3).path("mean_batch_sequences").asDouble() > rows.get(2).path("mean_batch_sequences").asDouble());
        assertTrue(Files.readString(run.resolve("report.md")).contains("highest load meeting the SLO"));
        assertTrue(r.out().contains("report: " + run.resolve("report.html")), r.out());
        // Same seed, same schedule, same reference figures.
        Path again = dir.resolve("again");
        assertEquals(0, CliTest.run("run", f.toString(), "--out", again.toString(), "--no-report").exit());
        List<JsonNode> second = lines(again);
        for (int i = 0; i < rows.size(); i++) {
            for (String q : List.of("ttft_ms", "tpot_ms", "e2e_ms", "queue_ms")) {
                assertEquals(rows.get(i).path(q), second.get(i).path(q), q + " of line " + i);
            }
        }
    }

    @Test
    void onTheHostsWallClockArrivalsAreWaitedForAndLowerTiersAreRefused() throws IOException {
        String host = """
                name: host
                model: {preset: tiny, quant: f16}
                mode: trace
                threads: 1
                warmup: 1
                reference: host
                workload: {kind: serving, arrivals: {process: constant, rate: [400]}, prompt: 4, output: 3, max_sequences: 2,
                           token_budget: 8, duration: 20ms, min_requests: 8}
                """;
        Path f = Files.writeString(dir.resolve("host.yaml"), host);
        Path run = dir.resolve("host-run");
        CliTest.Result r = CliTest.run("run", f.toString(), "--out", run.toString(), "--no-report");
        assertEquals(0, r.exit(), r.err());
        JsonNode first = lines(run).getFirst();
        // 8 requests 2.5 ms apart: the wall clock really waited for the last arrival (20 ms).
        assertTrue(first.path("clock_s").asDouble() >= 0.020, first.toString());
        Path tiered = Files.writeString(dir.resolve("tiered.yaml"), host + """
                tiers: {hbf: {preset: hbf}}
                placement: {weights: [{tier: hbf, match: "blk.*"}]}
                """);
        CliTest.Result bad = CliTest.run("run", tiered.toString(), "--out", dir.resolve("tiered-run").toString(), "--no-report");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("tiers: serving with reference: host runs on the wall clock"), bad.err());
    }
}
