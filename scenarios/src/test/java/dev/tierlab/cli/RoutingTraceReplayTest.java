package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tierlab.inference.gguf.GgufWriter;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded routing trace replayed on another model, end to end through the CLI on real llama.cpp:
 * {@code model routing} records a skewed model's experts per position; a scenario naming the trace
 * on a uniformly routed model of the same shape charges exactly the trace's experts.
 */
class RoutingTraceReplayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROMPT = 16;
    private static final int GEN = 16;

    @TempDir
    static Path dir;
    static Path skewed;
    static Path uniform;
    static Path trace;

    @BeforeAll
    static void models() throws IOException {
        var tiny = Presets.byName("olmoe-1b-7b").orElseThrow().scaledDown(2, 256, 256, 16384);
        skewed = dir.resolve("skewed.gguf");
        uniform = dir.resolve("uniform.gguf");
        SyntheticModel.write(tiny.withRouterZipf(2.0), QuantMix.F16, SyntheticModel.DEFAULT_SEED, skewed, GgufWriter.Progress.NONE);
        SyntheticModel.write(tiny.withRouterZipf(0), QuantMix.F16, SyntheticModel.DEFAULT_SEED, uniform, GgufWriter.Progress.NONE);
        trace = dir.resolve("routing.json");
        CliTest.Result r = CliTest.run("model", "routing", skewed.toString(), "--tokens", "40", "-o", trace.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("40 positions x 2 blocks, 8 of 64 experts per token"), r.out());
    }

    private Path scenario(String name, String routing) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, """
                model: {path: uniform.gguf%s}
                mode: trace
                reference: h200
                threads: 1
                workload: {prompt: [%d], generate: [%d]}
                repeats: 1
                warmup: 0
                tiers: {hbf: hbf}
                placement:
                  default: hbm
                  weights:
                    - {tier: hbf, class: experts}
                """.formatted(routing, PROMPT, GEN));
        return f;
    }

    private static JsonNode lastMoeRow(Path run) throws IOException {
        JsonNode last = null;
        for (String line : Files.readAllLines(run.resolve("results.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.has("moe")) {
                last = n;
            }
        }
        return last;
    }

    /** The histogram a replay must charge: prefill the union over the prompt (the last block: its output token), decode each token. */
    private static List<List<Long>> expected() throws IOException {
        JsonNode r = JSON.readTree(trace.toFile()).get("routing");
        List<List<Long>> h = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            long[] c = new long[64];
            Set<Integer> union = new HashSet<>();
            for (int p = l == 1 ? PROMPT - 1 : 0; p < PROMPT; p++) {
                r.get(p).get(l).forEach(e -> union.add(e.asInt()));
            }
            union.forEach(e -> c[e]++);
            for (int p = PROMPT; p < PROMPT + GEN; p++) {
                r.get(p).get(l).forEach(e -> c[e.asInt()]++);
            }
            h.add(java.util.Arrays.stream(c).boxed().toList());
        }
        return h;
    }

    private static List<List<Long>> histogram(JsonNode row) {
        List<List<Long>> h = new ArrayList<>();
        row.path("moe").path("routing_histogram").forEach(b -> {
            List<Long> x = new ArrayList<>();
            b.forEach(v -> x.add(v.asLong()));
            h.add(x);
        });
        return h;
    }

    @Test
    void aReplayedTraceChargesItsExpertsNotTheEngines() throws IOException {
        Path withTrace = dir.resolve("with");
        CliTest.Result r = CliTest.run("run", scenario("replay", ", routing_trace: routing.json").toString(), "--out", withTrace.toString(),
                "--no-report", "--in-process");
        assertEquals(0, r.exit(), r.err());
        JsonNode row = lastMoeRow(withTrace);
        assertEquals(expected(), histogram(row), "the charged experts are the trace's, position by position");
        assertTrue(row.path("model").path("routing").asText().contains("recorded trace routing.json"), row.path("model").toString());
        assertEquals(64, row.path("model").path("routing_trace_sha256").asText().length());

        Path own = dir.resolve("own");
        CliTest.Result o = CliTest.run("run", scenario("own", "").toString(), "--out", own.toString(), "--no-report", "--in-process");
        assertEquals(0, o.exit(), o.err());
        JsonNode ownRow = lastMoeRow(own);
        assertNotEquals(expected(), histogram(ownRow), "without the trace the uniform model's own routing is charged");
        assertTrue(ownRow.path("model").path("routing").asText().contains("zipf s=0.00"), ownRow.path("model").toString());
    }

    /** DeepSeek-V2-Lite's first block is dense: the trace records it with no experts, and replays on the same shape. */
    @Test
    void aModelWithALeadingDenseBlockRecordsAndReplays() throws IOException {
        Path ds = dir.resolve("ds.gguf");
        SyntheticModel.write(Presets.byName("deepseek-v2-lite").orElseThrow().scaledDown(3, 256, 256, 16384), QuantMix.F16,
                SyntheticModel.DEFAULT_SEED, ds, GgufWriter.Progress.NONE);
        Path t = dir.resolve("ds-routing.json");
        CliTest.Result r = CliTest.run("model", "routing", ds.toString(), "--tokens", "40", "-o", t.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode pos0 = JSON.readTree(t.toFile()).get("routing").get(0);
        assertEquals(0, pos0.get(0).size(), "the dense block routes no experts");
        assertEquals(6, pos0.get(1).size());
        Path f = dir.resolve("ds.yaml");
        Files.writeString(f, Files.readString(scenario("ds-base", ", routing_trace: ds-routing.json")).replace("uniform.gguf", "ds.gguf"));
        CliTest.Result v = CliTest.run("validate", f.toString());
        assertEquals(0, v.exit(), v.err());
        // The olmoe trace does not fit: 64 of 64 experts but top-8, and block 0 routes there.
        Path wrong = dir.resolve("ds-wrong.yaml");
        Files.writeString(wrong, Files.readString(f).replace("ds-routing.json", "routing.json"));
        OneLineErrors.assertBadScenario(wrong, "model.routing_trace", false, "8 of 64 experts");
    }

    @Test
    void badTracesGiveOneLineAndExitTwo() throws IOException {
        OneLineErrors.assertBadScenario(scenario("missing", ", routing_trace: nope.json"), "model.routing_trace", false, "no such routing trace");
        Files.writeString(dir.resolve("garbage.json"), "{not json");
        OneLineErrors.assertBadScenario(scenario("garbage", ", routing_trace: garbage.json"), "model.routing_trace", false, "is not JSON");
        Files.writeString(dir.resolve("other.json"), "{\"format\": \"something-else\"}");
        OneLineErrors.assertBadScenario(scenario("other", ", routing_trace: other.json"), "model.routing_trace", false, "tierlab-routing/1");
        Files.writeString(dir.resolve("small.json"), """
                {"format": "tierlab-routing/1", "source": "hand", "experts": 8, "experts_used": 2, "routing": [[[0, 1], [2, 3]]]}""");
        OneLineErrors.assertBadScenario(scenario("shape", ", routing_trace: small.json"), "model.routing_trace", false, "2 of 8 experts");
        Files.writeString(dir.resolve("dup.json"), """
                {"format": "tierlab-routing/1", "source": "hand", "experts": 64, "experts_used": 2, "routing": [[[5, 5], [2, 3]]]}""");
        OneLineErrors.assertBadScenario(scenario("dup", ", routing_trace: dup.json"), "model.routing_trace", false, "chosen twice");
        Path longer = scenario("long", ", routing_trace: routing.json");
        Files.writeString(longer, Files.readString(longer).replace("generate: [16]", "generate: [64]"));
        OneLineErrors.assertBadScenario(longer, "model.routing_trace", false, "covers 40 token positions", "reaches 80");
        Path dense = dir.resolve("dense.yaml");
        Files.writeString(dense, "model: {preset: tiny, routing_trace: routing.json}\n");
        OneLineErrors.assertBadScenario(dense, "model.routing_trace", false, "no experts");
        Path copy = scenario("copy", ", routing_trace: routing.json");
        Files.writeString(copy, Files.readString(copy).replace("mode: trace", "mode: copy\nengine: java").replace("reference: h200", "reference: host"));
        OneLineErrors.assertBadScenario(copy, "model.routing_trace", false, "copy mode stages the experts the engine itself routes to");
    }

    @Test
    void modelRoutingRefusesAnUnwritableOutputBeforeRunning() {
        OneLineErrors.assertOneLine("-o", new String[] {"model", "routing", skewed.toString(), "-o", dir.resolve("no/such/dir/x.json").toString()},
                "does not exist");
        OneLineErrors.assertOneLine("-o", new String[] {"model", "routing", skewed.toString(), "-o", dir.toString()}, "is a directory");
        OneLineErrors.assertOneLine("--text", new String[] {"model", "routing", skewed.toString(), "--text", dir.resolve("nope.txt").toString(),
                "-o", dir.resolve("x.json").toString()}, "no such file");
    }
}
