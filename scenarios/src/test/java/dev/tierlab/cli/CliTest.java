package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class CliTest {

    @TempDir
    static Path dir;
    static Path tiny;

    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.strip().lines().toList();
        }
    }

    static Result run(String... args) {
        CommandLine cli = TierlabCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void synthesizeTiny() {
        tiny = dir.resolve("tiny.gguf");
        Result r = run("model", "synth", "--preset", "tiny", "-o", tiny.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("wrote " + tiny), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "validate", "bench", "model", "calibrate", "report", "compare", "merge"})
    void everyVerbOfTheContractHasHelp(String verb) {
        // picocli reports a description it cannot format (a lone '%') on System.err, not through setErr
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        Result r;
        try {
            System.setErr(new java.io.PrintStream(warnings, true));
            r = run(verb, "--help");
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: tierlab " + verb), r.out());
        assertEquals("", warnings.toString(), "picocli warnings while rendering the help");
    }

    @Test
    void runVerbsRejectWhatIsNotARunDirectory() {
        assertOneLineError(run("compare", dir.toString(), dir.toString()), "not a run directory");
        assertOneLineError(run("report", dir.toString()), "not a run directory");
        assertOneLineError(run("merge", dir.toString(), "-o", dir.resolve("m").toString()), "not a run directory");
        assertOneLineError(run("run", dir.resolve("none.yaml").toString()), "none.yaml: no such file");
    }

    @Test
    void calibrateWritesTheBaseBandwidthAndInjectorAccuracy() throws IOException {
        Path out = dir.resolve("calibration.json");
        Result r = run("calibrate", "--out", out.toString(), "--skip", "engine,disk", "--injector-seconds", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("DRAM read bandwidth"), r.out());
        assertTrue(r.out().contains("10.0ms"), r.out());
        JsonNode c = new ObjectMapper().readTree(out.toFile());
        assertTrue(c.get("base_bytes_per_s").asDouble() > 1e8);
        assertEquals("dram_read", c.get("base_source").asText());
        assertEquals(13, c.get("injector").size());
    }

    @Test
    void benchEmulatesTiersAndReportsMeasuredAgainstModelledSteps() throws IOException {
        Path emu = dir.resolve("flash.yaml");
        Files.writeString(emu, """
                tiers:
                  flash: {class: flash, read_bandwidth: 4GB/s, granularity: 256KiB, channels: 4, latency: 10us}
                placement:
                  weights: [{tier: flash, match: "blk.*"}]
                """);
        // The default, trace: reference figures on the test's trace, against all-on-HBM of the same reference.
        Path onHbf = dir.resolve("hbf.yaml");
        Files.writeString(onHbf, """
                reference: h200
                tiers:
                  hbf: {preset: hbf, read_bandwidth: 0.25x, channels: 4096, latency: 1us}
                placement:
                  weights: [{tier: hbf, match: "blk.*", access: direct}]
                """);
        Result traced = run("bench", "-m", tiny.toString(), "-p", "0", "-n", "8", "-r", "2", "-t", "1", "--emulate", onHbf.toString(),
                "-o", "jsonl");
        assertEquals(0, traced.exit(), traced.err());
        List<String> tl = traced.out().strip().lines().toList();
        assertEquals(2, tl.size());
        JsonNode none = new ObjectMapper().readTree(tl.get(0));
        JsonNode hbf = new ObjectMapper().readTree(tl.get(1));
        assertTrue(none.get("ref_tg_tps") == null, "the unhooked arm has no reference columns");
        assertEquals("hbf", hbf.get("hook").asText());
        assertEquals("trace", hbf.get("mode").asText());
        assertEquals("h200", hbf.get("reference").asText());
        double ratio = hbf.get("ref_tg_ratio").asDouble();
        assertTrue(ratio > 0.05 && ratio < 0.5, "a quarter of HBM bandwidth plus a latency per layer: " + ratio);
        assertTrue(hbf.get("tiers").get("hbf").get("bytes_read").asLong() > 8 * 4 * 1_000_000L);
        Result md = run("bench", "-m", tiny.toString(), "-p", "0", "-n", "4", "-r", "1", "-t", "1", "--emulate", onHbf.toString());
        assertEquals(0, md.exit(), md.err());
        assertTrue(md.out().contains("| reference | ref t/s | ref ratio |"), md.out());
        assertTrue(md.out().lines().anyMatch(l -> l.contains("| hbf |") && l.contains("| h200 |")), md.out());

        Result r = run("bench", "-m", tiny.toString(), "-p", "0", "-n", "8", "-r", "2", "-t", "1", "--emulate", emu.toString(), "-o", "jsonl",
                "--mode", "inject");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(2, lines.size());
        JsonNode emulated = new ObjectMapper().readTree(lines.get(1));
        assertEquals("flash", emulated.get("hook").asText());
        assertTrue(emulated.get("modelled_step_ms").asDouble() > 0);
        assertTrue(emulated.get("measured_step_ms").asDouble() > 0);
        // 4 layers of the tiny model's weights per token, 8 tokens
        assertTrue(emulated.get("tiers").get("flash").get("bytes_read").asLong() > 8 * 4 * 1_000_000L);

        Files.writeString(emu, "tiers: {flash: {class: flash, read_bandwidth: 0GB/s}}\n");
        assertOneLineError(run("bench", "-m", tiny.toString(), "-p", "0", "-n", "4", "-r", "1", "--emulate", emu.toString()),
                "tiers.flash.read_bandwidth: bandwidth must be positive");
    }

    @Test
    void inspectPrintsShapesClassesAndKvBytes() {
        Result r = run("model", "inspect", tiny.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("architecture    llama"), r.out());
        assertTrue(r.out().contains("n_head / kv     8 / 2 (head_dim 32)"), r.out());
        // 2 (K and V) x 2 kv heads x 32 dims x 2 bytes
        assertTrue(r.out().contains("KV cache (f16)  256 B per token per layer"), r.out());
        assertTrue(r.out().contains("blk.3.ffn_down.weight"), r.out());
        assertTrue(r.out().contains("ffn"), r.out());
        Result brief = run("model", "inspect", "--no-tensors", tiny.toString());
        assertFalse(brief.out().contains("blk.3.ffn_down.weight"), brief.out());
        assertTrue(brief.out().contains("blk.3 "), brief.out());
    }

    @Test
    void synthWithLayersAndQuantWritesThatModel() throws IOException {
        Path out = dir.resolve("tiny-q4km-2.gguf");
        Result r = run("model", "synth", "--preset", "tiny", "--quant", "q4_k_m", "--layers", "2", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        Result inspect = run("model", "inspect", out.toString());
        assertTrue(inspect.out().contains("layers          2"), inspect.out());
        assertTrue(inspect.out().contains("q4_K"), inspect.out());
        assertTrue(Files.size(out) < Files.size(tiny));
    }

    @Test
    void badInputGetsOneLineAndExitTwo() throws IOException {
        assertOneLineError(run("model", "synth", "--preset", "gpt-9", "-o", dir.resolve("x.gguf").toString()), "unknown preset 'gpt-9'");
        assertOneLineError(run("model", "synth", "--preset", "tiny", "--quant", "q3_xx", "-o", dir.resolve("x.gguf").toString()),
                "unknown quant mix 'q3_xx'");
        assertOneLineError(run("model", "synth", "--preset", "tiny", "--layers", "99", "-o", dir.resolve("x.gguf").toString()),
                "--layers: 99 is outside 1..4");
        Path truncated = dir.resolve("truncated.gguf");
        byte[] bytes = Files.readAllBytes(tiny);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 5000));
        assertOneLineError(run("model", "inspect", truncated.toString()), truncated + ": truncated");
        assertOneLineError(run("bench", "-m", truncated.toString(), "-p", "8", "-n", "0", "-r", "1"), "truncated");
        assertOneLineError(run("bench", "-m", tiny.toString(), "-o", "xml"), "unknown output format 'xml'");
        assertOneLineError(run("bench", "-m", tiny.toString(), "-p", "0", "-n", "0"), "no tests");
    }

    private static void assertOneLineError(Result r, String expected) {
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void benchWritesLlamaBenchColumnsInEveryFormat() throws IOException {
        String[] common = {"bench", "-m", tiny.toString(), "-p", "16", "-n", "8", "-pg", "16,4", "-r", "2", "-t", "2"};
        Result json = run(concat(common, "-o", "json"));
        assertEquals(0, json.exit(), json.err());
        JsonNode rows = new ObjectMapper().readTree(json.out());
        assertEquals(3, rows.size());
        List<String> labels = List.of("pp16", "tg8", "pp16+tg4");
        for (int i = 0; i < 3; i++) {
            JsonNode row = rows.get(i);
            for (String col : List.of("build_commit", "model_filename", "model_type", "model_size", "model_n_params",
                    "n_threads", "type_k", "type_v", "n_prompt", "n_gen", "n_depth", "test_time", "avg_ns", "stddev_ns",
                    "avg_ts", "stddev_ts", "samples_ns", "samples_ts", "ttft_ms", "cv_ts", "ci95_low_ts", "warmup")) {
                assertTrue(row.has(col), col + " in " + row);
            }
            assertEquals(labels.get(i), row.get("test").asText());
            assertEquals(2, row.get("samples_ns").size());
            assertEquals("c6af2161", row.get("build_commit").asText());
            assertEquals(1, row.get("warmup").asInt());
            double avgTs = row.get("avg_ts").asDouble();
            double fromSamples = (row.get("samples_ts").get(0).asDouble() + row.get("samples_ts").get(1).asDouble()) / 2;
            assertEquals(fromSamples, avgTs, 1e-3 * avgTs);
        }
        assertEquals(16, rows.get(0).get("llama_n_p_eval").asInt());
        assertEquals(8, rows.get(1).get("llama_n_eval").asInt());
        assertTrue(rows.get(1).get("itl_p99_ms").asDouble() > 0);

        Result csv = run(concat(common, "-o", "csv"));
        List<String> lines = csv.out().strip().lines().toList();
        assertEquals(4, lines.size());
        assertTrue(lines.getFirst().startsWith("build_commit,build_number,cpu_info"), lines.getFirst());

        Result jsonl = run(concat(common, "-o", "jsonl"));
        assertEquals(3, jsonl.out().strip().lines().count());

        Result md = run(concat(common, "-o", "md"));
        assertTrue(md.out().contains("| model | size | params | backend | threads |"), md.out());
        assertTrue(md.out().contains("| tg8 |"), md.out());

        Path saved = dir.resolve("saved/bench.json");
        Result withSave = run(concat(common, "-o", "csv", "--save", saved.toString()));
        assertEquals(0, withSave.exit(), withSave.err());
        assertEquals(3, new ObjectMapper().readTree(saved.toFile()).size());
    }

    @Test
    void benchComparesHookModesSideBySide() {
        Result r = run("bench", "-m", tiny.toString(), "-p", "0", "-n", "8", "-r", "2", "-t", "1", "--hook", "none,noop", "-o", "jsonl");
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, r.out().strip().lines().count());
        assertTrue(r.err().contains("hook overhead tg8"), r.err());
    }

    @Test
    void benchAlternatesEnginesOnTheSameModelAndPrintsTheirRatio() throws IOException {
        Path json = dir.resolve("engines.json");
        Result r = run("bench", "-m", tiny.toString(), "-e", "llama.cpp,java", "-p", "0", "-n", "8", "-r", "3", "-t", "1",
                "--hook", "none,noop", "-o", "jsonl", "--save", json.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> rows = r.out().strip().lines().toList();
        assertEquals(4, rows.size(), r.out());
        assertEquals(2, rows.stream().filter(l -> l.contains("\"engine\":\"java\"") && l.contains("\"build_commit\":\"tierlab-java\"")).count(), r.out());
        assertEquals(2, rows.stream().filter(l -> l.contains("\"engine\":\"llama.cpp\"")).count(), r.out());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("engine ratio tg8 ") && l.contains("t=1 hook=none: median t/s java/llama.cpp = ")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("hook overhead tg8 ") && l.contains("t=1 java: median t/s noop/none = ")), r.err());
        assertTrue(Files.readString(json).contains("\"engine\" : \"java\""), Files.readString(json));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
