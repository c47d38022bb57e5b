package dev.tierlab.cli;

import static dev.tierlab.cli.OneLineErrors.assertBadScenario;
import static dev.tierlab.cli.OneLineErrors.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.cli.BadGgufs.Patch;
import dev.tierlab.cli.BadGgufs.Tensor;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufValue;
import dev.tierlab.inference.gguf.GgufValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus: every case runs the real CLI entry point in-process on one broken input
 * (a corrupt GGUF, a bad scenario, a bad flag) and must get exit code 2 and exactly one line on
 * stderr naming the file (or flag) and the field, with no stack trace (see {@link OneLineErrors}).
 * Corrupt GGUFs are derived from a valid synthesized micro model. Inputs tierlab does not reject
 * yet are in {@link ScenarioValidationGapsTest} and {@link CliUsageGapsTest}.
 */
class BadInputCorpusTest {

    @TempDir
    static Path dir;
    static Path micro;
    static Path microQwen;
    static Path okScenario;
    static Path okEmulation;
    static int counter;

    @BeforeAll
    static void validInputs() throws IOException {
        micro = BadGgufs.valid(BadGgufs.MICRO, dir.resolve("micro.gguf"));
        microQwen = BadGgufs.valid(BadGgufs.MICRO_QWEN, dir.resolve("micro-qwen.gguf"));
        okScenario = Files.writeString(dir.resolve("ok.yaml"), "name: ok\nmodel: {preset: tiny}\n");
        okEmulation = Files.writeString(dir.resolve("ok-emulation.yaml"), """
                tiers:
                  flash: {class: flash, read_bandwidth: 4GB/s}
                placement:
                  weights: [{tier: flash, class: ffn}]
                """);
    }

    @Test
    void theCorruptionsStartFromModelsThatInspectCleanly() {
        for (Path p : List.of(micro, microQwen)) {
            CliTest.Result r = OneLineErrors.run("model", "inspect", p.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("layers          2"), r.out());
        }
    }

    // ---------------------------------------------------------------- GGUF files

    /** A fresh path for a case's input: {@code name} made file-safe, numbered, its extension kept. */
    private static Path file(String name) {
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        return dir.resolve("case-%03d-%s%s".formatted(++counter, base.replaceAll("[^A-Za-z0-9]+", "-"), ext));
    }

    private static Patch patch() {
        return new Patch(micro);
    }

    private static Path rebuildMeta(String name, Consumer<Map<String, GgufValue>> edit) {
        return BadGgufs.write(BadGgufs.rebuildMeta(BadGgufs.plan(BadGgufs.MICRO), edit), file(name + ".gguf"));
    }

    private static Path rebuildTensors(String name, Function<Tensor, Tensor> edit) {
        return BadGgufs.write(BadGgufs.rebuildTensors(BadGgufs.plan(BadGgufs.MICRO), edit), file(name + ".gguf"));
    }

    /** A GGUF case: {@code make} writes the bad file; {@code model inspect} must name it and say each of {@code expected}. */
    private record GgufCase(String name, Function<String, Path> make, String... expected) {
        DynamicTest inspect() {
            return DynamicTest.dynamicTest("model inspect: " + name, () -> {
                Path f = make.apply(name);
                assertOneLine(f, new String[] {"model", "inspect", f.toString()}, expected);
            });
        }

        /** The same file through {@code bench}: the engine must not get to load it. */
        DynamicTest bench(String engine) {
            return DynamicTest.dynamicTest("bench -e " + engine + ": " + name, () -> {
                Path f = make.apply(name);
                assertOneLine(f, new String[] {"bench", "-m", f.toString(), "-e", engine, "-p", "0", "-n", "1", "-r", "1",
                    "--warmup", "0", "-t", "1"}, expected);
            });
        }
    }

    private static GgufCase gguf(String name, Function<String, Path> make, String... expected) {
        return new GgufCase(name, make, expected);
    }

    private static Function<String, Path> meta(Consumer<Map<String, GgufValue>> edit) {
        return n -> rebuildMeta(n, edit);
    }

    private static Function<String, Path> tensors(Function<Tensor, Tensor> edit) {
        return n -> rebuildTensors(n, edit);
    }

    private static Function<String, Path> patched(Function<Patch, Patch> edit) {
        return n -> edit.apply(patch()).write(file(n + ".gguf"));
    }

    private static Function<String, Path> raw(byte[] content) {
        return n -> {
            try {
                return Files.write(file(n + ".gguf"), content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static GgufValue u32(long v) {
        return GgufValue.u32(v);
    }

    private static GgufValue strings(int n) {
        return GgufValue.array(GgufValueType.STRING, Collections.nCopies(n, "x"));
    }

    private static Tensor rename(Tensor t, String from, String to) {
        return t.name().equals(from) ? new Tensor(to, t.type(), t.dims()) : t;
    }

    private static Tensor reshape(Tensor t, String name, long... dims) {
        return t.name().equals(name) ? new Tensor(t.name(), t.type(), dims) : t;
    }

    private static Tensor drop(Tensor t, String name) {
        return t.name().equals(name) ? null : t;
    }

    static final String Q = "blk.0.attn_q.weight";
    static final String K = "blk.0.attn_k.weight";
    static final String EMBD = "token_embd.weight";

    static List<GgufCase> ggufCases() {
        List<GgufCase> c = new ArrayList<>();
        // not a GGUF file at all
        c.add(gguf("zero-byte file", raw(new byte[0]), "empty file (0 bytes)"));
        c.add(gguf("directory instead of a file", n -> {
            try {
                return Files.createDirectories(file(n + ".gguf"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "is a directory"));
        c.add(gguf("missing file", n -> file(n + ".gguf"), "no such file"));
        c.add(gguf("bad magic", patched(p -> p.i32(0, 0x4c4d4747)), "not a GGUF file", "magic 0x4c4d4747"));
        c.add(gguf("a YAML file given as a model", raw("name: x\nmodel: tiny\n".getBytes()), "not a GGUF file"));
        c.add(gguf("header cut at 10 bytes", n -> patch().write(file(n + ".gguf"), 10), "truncated", "smaller than a GGUF header"));
        c.add(gguf("unsupported version 1", patched(p -> p.i32(4, 1)), "GGUF version 1 is not supported"));
        c.add(gguf("big-endian file", patched(p -> p.i32(4, 0x03000000)), "big-endian"));
        // absurd counts and lengths
        c.add(gguf("absurd tensor count", patched(p -> p.i64(8, 1L << 60)), "tensor count", "larger than the rest of the file"));
        c.add(gguf("absurd metadata count", patched(p -> p.i64(16, Long.MAX_VALUE)), "metadata count", "larger than the rest"));
        c.add(gguf("negative metadata count", patched(p -> p.i64(16, -1)), "metadata count", "18446744073709551615"));
        c.add(gguf("absurd key length", patched(p -> p.i64(24, 1L << 40)), "metadata key #0 length", "larger than the rest"));
        c.add(gguf("absurd tokens array length", patched(p -> p.i64(p.keyType("tokenizer.ggml.tokens") + 8, 1L << 50)),
                "array length of 'tokenizer.ggml.tokens'", "larger than the rest"));
        c.add(gguf("unknown metadata value type", patched(p -> p.i32(p.keyType("general.name"), 77)),
                "'general.name'", "unknown value type 77"));
        c.add(gguf("array of arrays", patched(p -> p.i32(p.keyType("tokenizer.ggml.scores") + 4, 9)),
                "'tokenizer.ggml.scores'", "unsupported array element type 9"));
        c.add(gguf("duplicate metadata key", patched(p -> p.rename("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")),
                "'tokenizer.ggml.eos_token_id'", "appears twice"));
        // truncation
        c.add(gguf("cut inside the metadata", n -> patch().write(file(n + ".gguf"), 200), "truncated"));
        c.add(gguf("cut inside the tensor infos", n -> {
            Patch p = patch();
            return p.write(file(n + ".gguf"), p.stringAt("blk.1.attn_q.weight") + 12);
        }, "truncated", "tensor #11"));
        c.add(gguf("tensor data cut short", n -> {
            Patch p = patch();
            return p.write(file(n + ".gguf"), p.bytes.length - 100);
        }, "truncated", "'output.weight'", "ends at byte"));
        // tensor infos
        c.add(gguf("unknown tensor type", patched(p -> p.i32(p.typeAt(Q), 99)), "'" + Q + "'", "unknown ggml type 99"));
        c.add(gguf("removed tensor type q4_2", patched(p -> p.i32(p.typeAt(Q), 4)), "'" + Q + "'", "unknown ggml type 4"));
        c.add(gguf("negative offset", patched(p -> p.i64(p.offsetAt(K), -32)), "'" + K + "'", "negative"));
        c.add(gguf("overflowing offset", patched(p -> p.i64(p.offsetAt(K), Long.MAX_VALUE & ~31L)), "'" + K + "'",
                "beyond the end of the data section"));
        c.add(gguf("offset past the data section", patched(p -> p.i64(p.offsetAt(K), p.offset("output.weight") + (1 << 20))),
                "'" + K + "'", "beyond the end of the data section"));
        c.add(gguf("misaligned offset", patched(p -> p.i64(p.offsetAt(K), p.offset(K) + 1)), "'" + K + "'", "not aligned to 32"));
        c.add(gguf("overlapping offsets", patched(p -> p.i64(p.offsetAt(K), p.offset(Q))), "'" + K + "'", "overlaps", "'" + Q + "'"));
        c.add(gguf("element count overflows", patched(p -> p.i64(p.dimAt(EMBD, 0), 1L << 32).i64(p.dimAt(EMBD, 1), 1L << 32)),
                "'" + EMBD + "'", "overflow"));
        c.add(gguf("byte size overflows", patched(p -> p.i64(p.dimAt(EMBD, 0), 1L << 40).i64(p.dimAt(EMBD, 1), 1L << 22)),
                "'" + EMBD + "'", "overflow"));
        c.add(gguf("zero dimension", patched(p -> p.i64(p.dimAt(Q, 1), 0)), "'" + Q + "'", "dimension 1 = 0"));
        c.add(gguf("five dimensions", patched(p -> p.i32(p.nDimsAt(Q), 5)), "'" + Q + "'", "5 dimensions"));
        c.add(gguf("row not a multiple of the block size", patched(p -> p.i32(p.typeAt("blk.0.attn_norm.weight"), GgmlType.Q4_K.id())),
                "'blk.0.attn_norm.weight'", "block size 256"));
        c.add(gguf("duplicate tensor name", patched(p -> p.rename(Q, K)), "'" + K + "'", "appears twice"));
        c.add(gguf("tensor name too long", tensors(t -> rename(t, "output_norm.weight", "output_norm.weight." + "x".repeat(60))),
                "'output_norm.weight.xxx", "llama.cpp allows at most 63"));
        c.add(gguf("newline in a tensor name", tensors(t -> rename(t, "output.weight", "blk.7.evil\nname")),
                "'blk.7.evil\\u000aname'", "belongs to block 7"));
        c.add(gguf("general.alignment not a power of two", meta(m -> m.put("general.alignment", u32(48))),
                "general.alignment 48 is not a power of two"));
        c.add(gguf("general.alignment not a uint32", meta(m -> m.put("general.alignment", GgufValue.string("32"))),
                "general.alignment is a string, not a uint32"));
        // vocabulary
        c.add(gguf("scores half as long as tokens", meta(m -> m.put("tokenizer.ggml.scores",
                GgufValue.array(GgufValueType.FLOAT32, Collections.nCopies(256, 0f)))),
                "tokenizer.ggml.scores has 256 entries but tokenizer.ggml.tokens has 512"));
        c.add(gguf("token_type one longer than tokens", meta(m -> m.put("tokenizer.ggml.token_type",
                GgufValue.array(GgufValueType.INT32, Collections.nCopies(513, 1)))),
                "tokenizer.ggml.token_type has 513 entries"));
        c.add(gguf("scores are strings", meta(m -> m.put("tokenizer.ggml.scores", strings(512))),
                "'tokenizer.ggml.scores'", "expected an array of float32"));
        c.add(gguf("tokens missing", meta(m -> m.remove("tokenizer.ggml.tokens")), "'tokenizer.ggml.tokens'"));
        c.add(gguf("tokens empty", meta(m -> m.put("tokenizer.ggml.tokens", strings(0))), "tokenizer.ggml.tokens is empty"));
        c.add(gguf("tokenizer model missing", meta(m -> m.remove("tokenizer.ggml.model")), "'tokenizer.ggml.model'"));
        c.add(gguf("unknown tokenizer model", meta(m -> m.put("tokenizer.ggml.model", GgufValue.string("sentencepiece"))),
                "tokenizer.ggml.model 'sentencepiece'"));
        c.add(gguf("BPE vocabulary without merges", meta(m -> m.put("tokenizer.ggml.model", GgufValue.string("gpt2"))),
                "'tokenizer.ggml.merges'"));
        c.add(gguf("BOS id outside the vocabulary", meta(m -> m.put("tokenizer.ggml.bos_token_id", u32(9999))),
                "tokenizer.ggml.bos_token_id = 9999"));
        c.add(gguf("add_bos_token not a bool", meta(m -> m.put("tokenizer.ggml.add_bos_token", u32(1))),
                "'tokenizer.ggml.add_bos_token'", "expected a bool"));
        c.add(gguf("vocab_size disagrees with the tokens", meta(m -> m.put("llama.vocab_size", u32(1000))),
                "llama.vocab_size = 1000"));
        // hyper-parameters
        c.add(gguf("architecture missing", meta(m -> m.remove("general.architecture")), "'general.architecture'"));
        c.add(gguf("architecture not a string", meta(m -> m.put("general.architecture", u32(7))),
                "'general.architecture'", "expected a string"));
        for (String k : List.of("block_count", "embedding_length", "attention.head_count", "context_length", "feed_forward_length")) {
            c.add(gguf("missing llama." + k, meta(m -> m.remove("llama." + k)), "missing metadata key 'llama." + k + "'"));
        }
        c.add(gguf("block_count is a string", meta(m -> m.put("llama.block_count", GgufValue.string("2"))),
                "'llama.block_count'", "is a string, expected a uint32"));
        c.add(gguf("absurd block_count", meta(m -> m.put("llama.block_count", u32(0xffffffffL))),
                "llama.block_count = 4294967295 is outside 1..65536"));
        c.add(gguf("block_count an int64", meta(m -> m.put("llama.block_count", GgufValue.of(GgufValueType.INT64, 2L))),
                "'llama.block_count'", "is an int64, expected a uint32"));
        c.add(gguf("zero heads", meta(m -> m.put("llama.attention.head_count", u32(0))), "llama.attention.head_count = 0"));
        c.add(gguf("head_count_kv does not divide head_count", meta(m -> m.put("llama.attention.head_count_kv", u32(3))),
                "llama.attention.head_count_kv = 3"));
        c.add(gguf("rms epsilon a string", meta(m -> m.put("llama.attention.layer_norm_rms_epsilon", GgufValue.string("1e-5"))),
                "'llama.attention.layer_norm_rms_epsilon'"));
        // tensors the architecture needs
        c.add(gguf("tensors of a block past block_count", meta(m -> m.put("llama.block_count", u32(1))),
                "'blk.1.", "belongs to block 1"));
        c.add(gguf("block_count larger than the blocks", meta(m -> m.put("llama.block_count", u32(3))),
                "missing tensor 'blk.2.attn_norm.weight'"));
        c.add(gguf("missing ffn_down", tensors(t -> drop(t, "blk.1.ffn_down.weight")), "missing tensor 'blk.1.ffn_down.weight'"));
        c.add(gguf("missing token_embd", tensors(t -> drop(t, EMBD)), "missing tensor 'token_embd.weight'"));
        c.add(gguf("attn_q of the wrong shape", tensors(t -> reshape(t, Q, 64, 32)), "'" + Q + "' has shape [64, 32]"));
        c.add(gguf("token_embd rows disagree with the vocabulary", tensors(t -> reshape(t, EMBD, 64, 500)),
                "'token_embd.weight' has shape [64, 500]"));
        c.add(gguf("norm with two dimensions", tensors(t -> reshape(t, "blk.0.ffn_norm.weight", 64, 1)),
                "'blk.0.ffn_norm.weight' has shape [64, 1]"));
        c.add(gguf("qwen2 without its q bias", n -> BadGgufs.write(BadGgufs.rebuildTensors(BadGgufs.plan(BadGgufs.MICRO_QWEN),
                t -> drop(t, "blk.0.attn_q.bias")), file(n + ".gguf")), "missing tensor 'blk.0.attn_q.bias'"));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> corruptGgufsThroughModelInspect() {
        List<GgufCase> cases = ggufCases();
        assertTrue(cases.size() >= 40, "corpus size " + cases.size());
        return cases.stream().map(GgufCase::inspect);
    }

    /** Both engines' load paths validate before llama.cpp (or the Java engine) reads a byte of the file. */
    @TestFactory
    Stream<DynamicTest> corruptGgufsThroughBench() {
        Map<String, GgufCase> byName = new java.util.HashMap<>();
        ggufCases().forEach(g -> byName.put(g.name(), g));
        return Stream.of(
                byName.get("scores half as long as tokens").bench("llama.cpp"),
                byName.get("negative offset").bench("llama.cpp"),
                byName.get("tensor data cut short").bench("llama.cpp"),
                byName.get("attn_q of the wrong shape").bench("llama.cpp"),
                byName.get("scores half as long as tokens").bench("java"),
                byName.get("overlapping offsets").bench("java"),
                byName.get("missing ffn_down").bench("java"));
    }

    // ---------------------------------------------------------------- scenarios

    private record ScenarioCase(String name, String yaml, String field, boolean located, String... expected) {
        DynamicTest test() {
            return DynamicTest.dynamicTest(name, () -> {
                Path f = Files.writeString(file(name + ".yaml"), yaml);
                assertBadScenario(f, field, located, expected);
            });
        }
    }

    private static ScenarioCase scenario(String name, String yaml, String field, String... expected) {
        return new ScenarioCase(name, yaml, field, true, expected);
    }

    private static ScenarioCase unlocated(String name, String yaml, String field, String... expected) {
        return new ScenarioCase(name, yaml, field, false, expected);
    }

    static List<ScenarioCase> scenarioCases() {
        String flash = "name: x\ntiers:\n  flash: ";
        List<ScenarioCase> c = new ArrayList<>();
        c.add(scenario("malformed YAML", "name: x\ntiers: {flash: [\n", "YAML syntax error"));
        c.add(scenario("a list, not a map", "- name: x\n", "a scenario is a YAML map"));
        c.add(scenario("unknown top-level key", "name: x\ncolour: red\n", "colour: unknown key"));
        c.add(scenario("unknown model key", "name: x\nmodel: {preset: tiny, size: 7b}\n", "model.size: unknown key"));
        c.add(scenario("unknown workload key", "name: x\nworkload: {prompt: 8, tokens: 8}\n", "workload.tokens: unknown key"));
        c.add(scenario("unknown tier key", flash + "{preset: hbf, speed: 3GB/s}\n", "tiers.flash.speed: unknown key"));
        c.add(scenario("zero bandwidth 0GB/s", flash + "{class: flash, read_bandwidth: 0GB/s}\n", "tiers.flash.read_bandwidth",
                "bandwidth must be positive"));
        c.add(scenario("negative bandwidth", flash + "{class: flash, read_bandwidth: -4GB/s}\n", "tiers.flash.read_bandwidth"));
        c.add(scenario("zero relative bandwidth", flash + "{class: flash, read_bandwidth: 0x}\n", "tiers.flash.read_bandwidth"));
        c.add(scenario("bandwidth without a unit", flash + "{class: flash, read_bandwidth: fast}\n", "tiers.flash.read_bandwidth"));
        c.add(scenario("write bandwidth zero", flash + "{preset: hbf, write_bandwidth: 0GB/s}\n", "tiers.flash.write_bandwidth"));
        c.add(scenario("tier without a bandwidth", flash + "{class: flash}\n", "tiers.flash.read_bandwidth", "missing"));
        c.add(scenario("unknown tier class", flash + "{class: tape, read_bandwidth: 1GB/s}\n", "tiers.flash.class", "'tape'"));
        c.add(scenario("unknown tier preset", flash + "{preset: floppy}\n", "tiers.flash.preset", "'floppy'"));
        c.add(scenario("zero granularity", flash + "{preset: hbf, granularity: 0B}\n", "tiers.flash.granularity"));
        c.add(scenario("zero channels", flash + "{preset: hbf, channels: 0}\n", "tiers.flash.channels"));
        c.add(scenario("channels not a number", flash + "{preset: hbf, channels: four}\n", "tiers.flash.channels"));
        c.add(scenario("negative capacity", flash + "{preset: hbf, capacity: -1GiB}\n", "tiers.flash.capacity"));
        c.add(scenario("unknown latency distribution", flash + "{preset: hbf, latency: {dist: weibull}}\n",
                "tiers.flash.latency.dist", "'weibull'"));
        c.add(scenario("lognormal p99 below p50", flash + "{preset: hbf, latency: {dist: lognormal, p50: 9us, p99: 3us}}\n",
                "tiers.flash.latency.p99"));
        c.add(scenario("latency without a unit", flash + "{preset: hbf, latency: 60}\n", "tiers.flash.latency", "no unit"));
        c.add(scenario("negative latency", flash + "{preset: hbf, latency: -5us}\n", "tiers.flash.latency"));
        c.add(scenario("latency file missing", flash + "{preset: hbf, latency: {dist: empirical, file: nope.hgrm}}\n",
                "tiers.flash.latency", "does not exist"));
        c.add(scenario("stall probability above 1", flash
                + "{preset: hbf, latency: {dist: fixed, value: 3us, stalls: {probability: 2, extra: 1ms}}}\n",
                "tiers.flash.latency.stalls.probability"));
        c.add(unlocated("unknown tier in placement", "name: x\nplacement: {weights: {ffn: flash}}\n", "placement",
                "unknown tier 'flash'"));
        c.add(unlocated("unknown tier in a KV rule", "name: x\nplacement:\n  kv: [{tier: cxl}]\n", "placement", "unknown tier 'cxl'"));
        c.add(scenario("placement rule without a tier", "name: x\nplacement:\n  weights:\n    - {class: ffn}\n",
                "placement.weights[0].tier", "missing"));
        c.add(scenario("unknown tensor class", "name: x\nplacement:\n  weights:\n    - {tier: hbm, class: mlp}\n",
                "placement.weights[0].class", "'mlp'"));
        c.add(scenario("fraction above 1", "name: x\nplacement:\n  weights:\n    - {tier: hbm, fraction: 1.5}\n",
                "placement.weights[0].fraction"));
        c.add(scenario("layer range backwards", "name: x\nplacement:\n  weights:\n    - {tier: hbm, layers: 5-2}\n",
                "placement.weights[0].layers", "'5-2'"));
        c.add(scenario("unknown placement key", "name: x\nplacement: {weight: {ffn: hbm}}\n", "placement.weight: unknown key"));
        c.add(scenario("cache without capacity", "name: x\ncache: {tier: hbm}\n", "cache", "capacity"));
        c.add(scenario("negative prefetch", "name: x\nprefetch: -1\n", "prefetch"));
        c.add(scenario("bad sweep path", "name: x\nsweep:\n  nosuch.field: [1, 2]\n", "sweep.nosuch.field", "cannot sweep"));
        c.add(scenario("sweeping the workload", "name: x\nsweep:\n  workload.prompt: [1, 2]\n", "sweep.workload.prompt"));
        c.add(scenario("sweep values not a list", "name: x\ntiers: {flash: {preset: hbf}}\nsweep:\n  tiers.flash.channels: 4\n",
                "sweep.tiers.flash.channels", "expected a list"));
        c.add(scenario("sweep value invalid for its field",
                "name: x\ntiers: {flash: {preset: hbf}}\nsweep:\n  tiers.flash.read_bandwidth: [1x, -1x]\n",
                "sweep.tiers.flash.read_bandwidth[1] = -1x", "bandwidth must be positive"));
        c.add(scenario("unknown model preset", "name: x\nmodel: {preset: gpt-9}\n", "model.preset", "'gpt-9'"));
        c.add(scenario("unknown quant mix", "name: x\nmodel: {preset: tiny, quant: q3_xx}\n", "model.quant", "'q3_xx'"));
        c.add(scenario("zero model layers", "name: x\nmodel: {preset: tiny, layers: 0}\n", "model.layers"));
        c.add(scenario("more layers than the preset", "name: x\nmodel: {preset: tiny, layers: 99}\n", "model.layers",
                "more than the 4 layers"));
        c.add(scenario("model file missing", "name: x\nmodel: {path: nowhere.gguf}\n", "model.path", "no such model file"));
        c.add(scenario("model path and preset", "name: x\nmodel: {path: micro.gguf, preset: tiny}\n", "model.path", "not both"));
        c.add(scenario("zero repeats", "name: x\nrepeats: 0\n", "repeats", "at least 1"));
        c.add(scenario("negative threads", "name: x\nthreads: -1\n", "threads"));
        c.add(scenario("negative warmup", "name: x\nwarmup: -1\n", "warmup"));
        c.add(scenario("unknown KV type", "name: x\nkv_type: q9\n", "kv_type", "'q9'"));
        c.add(scenario("unknown engine", "name: x\nengine: vllm\n", "engine", "'vllm'"));
        c.add(scenario("copy mode on llama.cpp", "name: x\nmode: copy\n", "mode", "'copy'"));
        c.add(scenario("prompt not a number", "name: x\nworkload:\n  prompt: [many]\n", "workload.prompt", "'many'"));
        c.add(scenario("unknown cache mode", "name: x\nworkload: {cache: lukewarm}\n", "workload.cache", "'lukewarm'"));
        c.add(scenario("nothing to measure", "name: x\nworkload: {prompt: 0, generate: 0}\n", "workload", "measures nothing"));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> badScenariosThroughValidateAndDryRun() {
        List<ScenarioCase> cases = scenarioCases();
        assertTrue(cases.size() >= 40, "corpus size " + cases.size());
        List<DynamicTest> tests = new ArrayList<>(cases.stream().map(ScenarioCase::test).toList());
        tests.add(DynamicTest.dynamicTest("scenario file missing", () ->
                assertBadScenario(dir.resolve("missing.yaml"), "no such file", false)));
        tests.add(DynamicTest.dynamicTest("scenario path is a directory", () ->
                assertBadScenario(Files.createDirectories(file("scenario-dir.yaml")), "no such file", false)));
        return tests.stream();
    }

    // ---------------------------------------------------------------- flags

    private static DynamicTest flag(String name, String what, String[] args, String... expected) {
        return DynamicTest.dynamicTest(name, () -> assertOneLine(what, args, expected));
    }

    /** {@code bench} on the valid micro model with the Java engine and a 1-token test; {@code more} replaces any default flag. */
    private static String[] bench(String... more) {
        List<String> given = List.of(more);
        String[][] defaults = {{"-m", micro.toString()}, {"-e", "java"}, {"-p", "0"}, {"-n", "1"}, {"-r", "1"}, {"--warmup", "0"},
            {"-t", "1"}};
        List<String> args = new ArrayList<>(List.of("bench"));
        for (String[] d : defaults) {
            if (!given.contains(d[0])) {
                args.addAll(List.of(d));
            }
        }
        args.addAll(given);
        return args.toArray(String[]::new);
    }

    private static Path yaml(String name, String text) throws IOException {
        return Files.writeString(file(name + ".yaml"), text);
    }

    @TestFactory
    Stream<DynamicTest> badFlags() throws IOException {
        Path missingGguf = dir.resolve("missing.gguf");
        Path zeroBandwidth = yaml("emulate-zero-bw", "tiers: {flash: {class: flash, read_bandwidth: 0GB/s}}\n");
        Path unknownTier = yaml("emulate-unknown-tier", "placement: {weights: {ffn: flash}}\n");
        Path syntax = yaml("emulate-syntax", "tiers: {flash: [\n");
        Path runDir = Files.createDirectories(dir.resolve("earlier-run"));
        Files.writeString(runDir.resolve("results.jsonl"), "{}\n");
        String ok = okScenario.toString();
        List<DynamicTest> t = new ArrayList<>();
        t.add(flag("model inspect: missing file", missingGguf.toString(), new String[] {"model", "inspect", missingGguf.toString()},
                "no such file"));
        t.add(flag("model inspect: a directory", dir.toString(), new String[] {"model", "inspect", dir.toString()}, "is a directory"));
        t.add(flag("model inspect: a scenario given as the model", ok, new String[] {"model", "inspect", ok}, "not a GGUF file"));
        t.add(flag("model synth: unknown preset", "--preset", new String[] {"model", "synth", "--preset", "gpt-9", "-o",
            dir.resolve("x.gguf").toString()}, "'gpt-9'"));
        t.add(flag("model synth: unknown quant", "--quant", new String[] {"model", "synth", "--preset", "tiny", "--quant", "q3_xx",
            "-o", dir.resolve("x.gguf").toString()}, "'q3_xx'"));
        t.add(flag("model synth: too many layers", "--layers", new String[] {"model", "synth", "--preset", "tiny", "--layers", "99",
            "-o", dir.resolve("x.gguf").toString()}, "outside 1..4"));
        t.add(flag("bench: unknown output format", "-o", bench("-o", "xml"), "'xml'"));
        t.add(flag("bench: negative prompt", "-p", bench("-p", "-1"), "-1"));
        t.add(flag("bench: negative generation", "-n", bench("-n", "-5"), "-5"));
        t.add(flag("bench: zero threads", "-t", bench("-t", "0"), "positive"));
        t.add(flag("bench: zero repetitions", "-r", bench("-r", "0"), "at least one repetition"));
        t.add(flag("bench: negative warmup", "--warmup", bench("--warmup", "-1"), "-1"));
        t.add(flag("bench: unknown KV type", "-ctk", bench("-ctk", "q9"), "'q9'"));
        t.add(flag("bench: unknown hook", "--hook", bench("--hook", "loud"), "'loud'"));
        t.add(flag("bench: -pg without its pair", "-pg", bench("-pg", "16"), "pairs"));
        t.add(flag("bench: -pg not a number", "-pg", bench("-pg", "16,x"), "'x'"));
        t.add(flag("bench: no tests", "-p", bench("-p", "0", "-n", "0"), "no tests"));
        t.add(flag("bench: model file missing", missingGguf.toString(), new String[] {"bench", "-m", missingGguf.toString(),
            "-p", "0", "-n", "1"}, "-m: no such model file"));
        t.add(flag("bench: model is a directory", dir.toString(), new String[] {"bench", "-m", dir.toString(), "-p", "0", "-n", "1"},
                "-m: no such model file"));
        t.add(flag("bench: emulation file missing", "missing-emulation.yaml",
                bench("--emulate", dir.resolve("missing-emulation.yaml").toString()), "no such file"));
        t.add(flag("bench: emulation with zero bandwidth", zeroBandwidth.toString(), bench("--emulate", zeroBandwidth.toString()),
                "tiers.flash.read_bandwidth", "bandwidth must be positive"));
        t.add(flag("bench: emulation with an unknown tier", unknownTier.toString(), bench("--emulate", unknownTier.toString()),
                "placement", "unknown tier 'flash'"));
        t.add(flag("bench: emulation file malformed", syntax.toString(), bench("--emulate", syntax.toString()), "YAML syntax error"));
        t.add(flag("bench: copy mode on llama.cpp", "--mode copy", new String[] {"bench", "-m", micro.toString(), "-e", "llama.cpp",
            "-p", "0", "-n", "1", "-r", "1", "--warmup", "0", "-t", "1", "--mode", "copy", "--emulate", okEmulation.toString()},
                "-e java"));
        t.add(flag("bench: unknown emulation mode", "--mode", bench("--mode", "teleport", "--emulate", okEmulation.toString()),
                "'teleport'"));
        t.add(flag("run: shard index past the count", "--shard", new String[] {"run", "--dry-run", "--shard", "5/4", ok}, "'5/4'"));
        t.add(flag("run: shard not I/N", "--shard", new String[] {"run", "--dry-run", "--shard", "x", ok}, "'x'"));
        t.add(flag("run: --out and --resume", "--out and --resume", new String[] {"run", "--dry-run", "--out", runDir.toString(),
            "--resume", runDir.toString(), ok}));
        t.add(flag("run: resume a directory that is not there", "--resume", new String[] {"run", "--dry-run", "--resume",
            dir.resolve("no-run").toString(), ok}, "no run directory"));
        t.add(flag("run: --out over an earlier run", runDir.toString(), new String[] {"run", "--dry-run", "--out",
            runDir.toString(), ok}, "--out", "already holds results"));
        return t.stream();
    }

    // ---------------------------------------------------------------- calibration

    /**
     * A calibration file that is there but unusable is an error naming it, not a silent fallback.
     * The CLI finds it under $TIERLAB_CACHE, so these run the CLI's main in a JVM of their own.
     */
    @TestFactory
    Stream<DynamicTest> corruptCalibrationFiles() throws IOException {
        Path relative = yaml("relative", "tiers: {flash: {class: flash, read_bandwidth: 0.25x}}\n"
                + "placement: {weights: [{tier: flash, class: ffn}]}\n");
        return Stream.of(
                DynamicTest.dynamicTest("calibration.json not JSON", () -> {
                    Path line = calibrationRun("not json {", relative);
                    assertTrue(Files.readString(line).contains("calibration.json:1:"), Files.readString(line));
                    assertTrue(Files.readString(line).contains("not a tierlab calibration file"), Files.readString(line));
                }),
                DynamicTest.dynamicTest("calibration.json without a base bandwidth", () -> {
                    Path line = calibrationRun("{\"cpu\": \"x\", \"base_bytes_per_s\": 0}", relative);
                    assertTrue(Files.readString(line).contains("base_bytes_per_s: must be a positive number"), Files.readString(line));
                }));
    }

    /** Runs bench with an emulation file that needs the calibration (host-scale inject mode); returns a file holding its one stderr line. */
    private static Path calibrationRun(String calibration, Path emulation) throws Exception {
        Path cache = Files.createDirectories(file("cache"));
        Path cal = Files.writeString(cache.resolve("calibration.json"), calibration);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), TierlabCli.class.getName(),
                "bench", "-m", micro.toString(), "-e", "java", "-p", "0", "-n", "1", "-r", "1", "--warmup", "0", "-t", "1",
                "--mode", "inject", "--emulate", emulation.toString());
        pb.environment().put("TIERLAB_CACHE", cache.toString());
        Path err = cache.resolve("stderr");
        pb.redirectError(err.toFile()).redirectOutput(cache.resolve("stdout").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI finished");
        List<String> lines = Files.readAllLines(err).stream()
                .filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(2, p.exitValue(), String.join("\n", lines));
        assertEquals(1, lines.size(), "one line: " + lines);
        assertTrue(lines.getFirst().contains(cal.toString()), lines.getFirst());
        assertTrue(lines.getFirst().contains(emulation.toString()), lines.getFirst());
        assertFalse(lines.getFirst().contains("Exception"), lines.getFirst());
        assertEquals("", Files.readString(cache.resolve("stdout")));
        return Files.writeString(cache.resolve("line"), lines.getFirst());
    }
}
