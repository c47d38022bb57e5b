package dev.tierlab.inference.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.model.ModelInfo;
import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import dev.tierlab.inference.testing.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link GgufFile#open} and {@link GgufModelValidator}: valid models of every layout tierlab writes
 * pass, and a broken one is a {@link GgufFormatException} whose {@code field()} names the key or
 * tensor. The full corpus of broken files runs through the CLI in the scenarios module
 * (BadInputCorpusTest).
 */
class GgufValidationTest {

    /** llama, 2 blocks, head_dim * heads == n_embd. */
    static final ModelPreset MICRO = new ModelPreset("micro", "llama", 64, 2, 4, 2, 16, 128, 512, 256, 10000f, 1e-5f,
            false, false, false, false, 0, "test");
    /** qwen2 with biases and tied embeddings. */
    static final ModelPreset MICRO_QWEN = new ModelPreset("micro-qwen", "qwen2", 64, 2, 4, 2, 16, 128, 512, 256, 1e6f, 1e-6f,
            true, true, false, false, 0, "test");
    /** llama with head_dim * heads != n_embd (attention.key_length written) and rope_freqs. */
    static final ModelPreset WIDE_HEADS = new ModelPreset("wide-heads", "llama", 64, 1, 4, 1, 32, 128, 512, 256, 10000f, 1e-5f,
            false, true, false, true, 0, "test");

    @TempDir
    Path dir;

    private Path write(GgufWriter w, String name) throws IOException {
        Path p = dir.resolve(name);
        w.write(p, (t, out) -> out.write(new byte[(int) t.byteSize()]));
        return p;
    }

    private ModelInfo load(Path p) {
        try (GgufFile f = GgufFile.open(p)) {
            return ModelInfo.of(f);
        }
    }

    private GgufFormatException failure(Path p) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> load(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(e.fix().isEmpty(), "says what to do: " + e.getMessage());
        assertTrue(e.getMessage().endsWith("; " + e.fix()), e.getMessage());
        return e;
    }

    private Path withMeta(ModelPreset p, Consumer<Map<String, GgufValue>> edit) throws IOException {
        GgufWriter plan = SyntheticModel.plan(p, QuantMix.F16);
        Map<String, GgufValue> m = new LinkedHashMap<>(plan.metadata());
        edit.accept(m);
        GgufWriter w = new GgufWriter();
        m.forEach(w::put);
        plan.tensors().forEach(t -> w.addTensor(t.name(), t.type(), t.dims()));
        return write(w, "edited.gguf");
    }

    @ParameterizedTest
    @EnumSource(QuantMix.class)
    void everyMixOfTheMicroModelsValidates(QuantMix mix) throws IOException {
        for (ModelPreset p : new ModelPreset[] {MICRO, MICRO_QWEN, WIDE_HEADS}) {
            ModelInfo m = load(write(SyntheticModel.plan(p, mix), p.name() + ".gguf"));
            assertEquals(p.nLayer(), m.nLayer());
            assertEquals(p.headDim(), m.headDim());
            assertEquals(512, m.nVocab());
        }
    }

    @Test
    void theTinyPresetValidates() {
        assertEquals(4, load(TestModels.tiny(QuantMix.Q4_K_M)).nLayer());
    }

    @Test
    void vocabularyArraysMustAgree() throws IOException {
        GgufFormatException e = failure(withMeta(MICRO, m -> m.put("tokenizer.ggml.scores",
                GgufValue.array(GgufValueType.FLOAT32, Collections.nCopies(256, 0f)))));
        assertEquals("tokenizer.ggml.scores", e.field());
        assertTrue(e.getMessage().contains("256 entries but tokenizer.ggml.tokens has 512"), e.getMessage());
    }

    @Test
    void aRequiredKeyOfTheWrongTypeIsAFormatErrorNotACrash() throws IOException {
        Path p = withMeta(MICRO, m -> m.put("llama.embedding_length", GgufValue.string("64")));
        assertEquals("llama.embedding_length", failure(p).field());
        try (GgufFile f = GgufFile.open(p)) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> f.archLong("embedding_length"));
            assertTrue(e.getMessage().contains("is a string, expected an integer"), e.getMessage());
        }
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        GgufWriter plan = SyntheticModel.plan(MICRO_QWEN, QuantMix.F16);
        GgufWriter w = new GgufWriter();
        plan.metadata().forEach(w::put);
        plan.tensors().stream().filter(t -> !t.name().equals("blk.1.attn_v.bias")).forEach(t -> w.addTensor(t.name(), t.type(), t.dims()));
        assertEquals("blk.1.attn_v.bias", failure(write(w, "no-bias.gguf")).field());
    }

    /** Offsets out of declaration order are fine as long as they do not overlap. */
    @Test
    void tensorsMayBeStoredInAnyOrder() throws IOException {
        Path p = write(SyntheticModel.plan(MICRO, QuantMix.F16), "swapped.gguf");
        byte[] b = Files.readAllBytes(p);
        int k = offsetField(b, "blk.0.attn_k.weight");
        int v = offsetField(b, "blk.0.attn_v.weight");
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long kOffset = le.getLong(k);
        le.putLong(k, le.getLong(v)).putLong(v, kOffset); // same size, so a clean swap
        Files.write(p, b);
        assertEquals(2, load(p).nLayer());

        le.putLong(v, le.getLong(k)); // now both at one offset
        Files.write(p, b);
        GgufFormatException e = failure(p);
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        assertTrue(e.field().startsWith("blk.0.attn_"), e.field());
    }

    @Test
    void negativeOffsetsAreCaughtEvenWhenAligned() throws IOException {
        Path p = write(SyntheticModel.plan(MICRO, QuantMix.F16), "negative.gguf");
        byte[] b = Files.readAllBytes(p);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(offsetField(b, "blk.0.attn_k.weight"), -32);
        Files.write(p, b);
        GgufFormatException e = failure(p);
        assertEquals("blk.0.attn_k.weight", e.field());
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @Test
    void byteSizesAreExact() {
        assertEquals(34L * (1L << 40), GgmlType.Q8_0.byteSize(32L << 40));
        assertThrows(ArithmeticException.class, () -> GgmlType.F16.byteSize(1L << 62));
        assertThrows(ArithmeticException.class, () -> GgmlType.Q8_0.byteSize(Long.MAX_VALUE / 32 * 32));
        assertThrows(ArithmeticException.class, () -> new GgufTensorInfo("t", new long[] {1L << 40, 1L << 24}, GgmlType.F32, 0).byteSize());
    }

    @Test
    void namesFromAFileAreQuotedOnOneLine() {
        assertEquals("'a\\u000ab\\u001b'", GgufFormatException.quote("a\nb\u001b"));
        String q = GgufFormatException.quote("x".repeat(500));
        assertTrue(q.length() < 120 && q.contains("(500 chars)"), q);
    }

    /** Position of a tensor info's offset field (after name, n_dims, dims and type). */
    private static int offsetField(byte[] b, String tensor) {
        byte[] name = tensor.getBytes(StandardCharsets.UTF_8);
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 24; i + 8 + name.length < b.length; i++) {
            if (le.getLong(i) == name.length && java.util.Arrays.equals(b, i + 8, i + 8 + name.length, name, 0, name.length)) {
                int nDims = le.getInt(i + 8 + name.length);
                return i + 8 + name.length + 4 + 8 * nDims + 4;
            }
        }
        throw new AssertionError(tensor);
    }
}
