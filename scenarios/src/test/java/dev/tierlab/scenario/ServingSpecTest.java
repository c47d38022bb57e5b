package dev.tierlab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingSpecTest {

    @TempDir
    Path dir;

    private Scenario load(String yaml) throws IOException {
        return ScenarioLoader.load(Files.writeString(dir.resolve("s.yaml"), yaml));
    }

    @Test
    void aServingScenarioLoadsWithItsLoadsLengthsAndSlo() throws IOException {
        Scenario s = load("""
                name: q
                mode: trace
                workload:
                  kind: serving
                  arrivals: {process: constant, rate: [100, 200]}
                  prompt: {uniform: [16, 64]}
                  output: 8
                  max_sequences: 4
                  duration: 50ms
                  min_requests: 10
                slo: {ttft_p99: 2ms, tpot_p99: 100us}
                """);
        ServingSpec spec = ServingSpec.of(s);
        assertEquals(2, spec.loads());
        assertEquals(List.of(100.0, 200.0), spec.rates());
        assertEquals(64, spec.tokenBudget(), "default budget: max(64, max_sequences)");
        assertEquals(2_000_000, spec.slo().ttftP99Nanos());
        assertEquals(100_000, spec.slo().tpotP99Nanos());
        assertEquals(72, spec.maxSequenceTokens());
        // 200/s for 50 ms is 10 requests, exactly min_requests; the same seed gives the same workload.
        assertEquals(10, spec.requests(1, 42).size());
        assertEquals(spec.requests(0, 42), spec.requests(0, 42));
    }

    @Test
    void aTraceFileGivesItsOwnArrivalsAndBadLinesAreNamed() throws IOException {
        Files.writeString(dir.resolve("t.jsonl"), """
                {"arrival_ms": 0.5, "prompt": 10, "output": 3}
                {"arrival_ms": 2.0, "prompt": 20, "output": 1}
                """);
        ServingSpec spec = ServingSpec.parse(Map.of("kind", "serving", "arrivals", Map.of("process", "trace", "file", "t.jsonl")), null, dir);
        assertEquals(1, spec.loads());
        assertEquals(2_000_000, spec.requests(0, 1).get(1).arrivalNanos());
        assertEquals(1000, spec.offeredRate(0, 1), 1e-9, "2 requests over 2 ms");
        Files.writeString(dir.resolve("bad.jsonl"), "{\"arrival_ms\": 1, \"prompt\": 10}\n");
        SpecException e = assertThrows(SpecException.class, () -> ServingSpec.parse(Map.of("kind", "serving",
                "arrivals", Map.of("process", "trace", "file", "bad.jsonl")), null, dir));
        assertTrue(e.getMessage().contains("bad.jsonl line 1 needs numbers arrival_ms, prompt and output"), e.getMessage());
    }

    @Test
    void badServingValuesAreRefusedWithTheirField() throws IOException {
        record Case(String yaml, String field) {
        }
        for (Case c : List.of(
                new Case("workload: {kind: serving, arrivals: {process: bursty, rate: 1}}", "workload.arrivals.process"),
                new Case("workload: {kind: serving, arrivals: {process: poisson}}", "workload.arrivals.rate"),
                new Case("workload: {kind: serving, arrivals: {rate: [1, fast]}}", "workload.arrivals.rate"),
                new Case("workload: {kind: serving, arrivals: {rate: 1}, max_sequences: 8, token_budget: 4}", "workload.token_budget"),
                new Case("workload: {kind: serving, arrivals: {rate: 1}, prompt: {uniform: [9, 3]}}", "workload.prompt.uniform"),
                new Case("workload: {kind: serving, arrivals: {rate: 1}, duration: 5 parsecs}", "workload.duration"),
                new Case("workload: {kind: serving, arrivals: {rate: 1}}\nslo: {tpot_p99: 0ms}", "slo.tpot_p99"),
                new Case("workload: {kind: serving, arrivals: {rate: 1}}\nslo: {p95: 1ms}", "slo.p95"),
                new Case("workload: {kind: batch}", "workload.kind"),
                new Case("workload: {prompt: 8}\nslo: {tpot_p99: 1ms}", "slo"))) {
            String yaml = "name: x\nmode: trace\n" + c.yaml() + "\n";
            ScenarioException e = assertThrows(ScenarioException.class, () -> load(yaml), yaml);
            assertTrue(e.problems().stream().anyMatch(p -> p.contains(": " + c.field() + ":")), c.field() + " in " + e.problems());
        }
        ScenarioException e = assertThrows(ScenarioException.class,
                () -> load("name: x\nworkload: {kind: serving, arrivals: {rate: 1}}\n"));
        assertTrue(e.problems().getFirst().contains("set mode: trace"), e.problems().toString());
    }
}
