package dev.tierlab.inference.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Mutates a valid synthesized GGUF (truncation, flipped bytes, inflated or negative counts,
 * shortened and lengthened arrays, bad tensor offsets, overflowing dimensions, unknown value and
 * tensor types) and checks the Java-side reader and validator on each: the file either opens and
 * validates, or is refused with one {@link GgufFormatException} whose message is one line that
 * starts with the file and says what is wrong. Anything else (another exception, an
 * {@link OutOfMemoryError}, a hang) fails the property with the mutation that caused it.
 *
 * <p>The structural positions the mutations aim at (counts, array lengths, tensor fields) come from
 * walking the valid file once, so a mutation lands on a real field, not only on tensor data.
 */
class GgufMutationPropertyTest {

    /** llama layout, 2 blocks, vocabulary 512: small enough to write a thousand times in seconds. */
    static final ModelPreset NANO = new ModelPreset("nano", "llama", 32, 2, 2, 1, 16, 64, 512, 256, 10000f, 1e-5f,
            false, false, false, false, 0, "tierlab property test");

    static final Layout VALID = Layout.of(synthesize());
    static final Path DIR;
    static final AtomicInteger TRIES = new AtomicInteger();
    static final java.util.concurrent.atomic.AtomicBoolean FAILED = new java.util.concurrent.atomic.AtomicBoolean();
    static final ExecutorService CHECKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gguf-mutation-check");
        t.setDaemon(true);
        return t;
    });

    static {
        try {
            DIR = Files.createTempDirectory("tierlab-gguf-mutations");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A message may name anything from the file, but never an exception class. */
    private static final Pattern BYTE = Pattern.compile("\\bbyte \\d+");
    /** Problems of the fixed-size header, whose place is its field name: magic (byte 0), version (byte 4), its size. */
    private static final java.util.Set<String> HEADER_FIELDS = java.util.Set.of("header", "magic", "version");
    private static final Pattern EXCEPTION_NAME = Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b");

    private static byte[] synthesize() {
        GgufWriter w = SyntheticModel.plan(NANO, QuantMix.F16);
        try {
            Path f = Files.createTempFile("tierlab-nano", ".gguf");
            w.write(f, (t, out) -> out.write(new byte[(int) t.byteSize()]));
            byte[] b = Files.readAllBytes(f);
            Files.delete(f);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ the property

    @Property(tries = 5000, shrinking = ShrinkingMode.OFF, seed = "20261130")
    void everyMutationValidatesOrIsRefusedInOneLine(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        try {
            check(mutations);
        } catch (AssertionError e) {
            FAILED.set(true); // jqwik then reports this failure, not the try count below
            throw e;
        }
    }

    private static void check(List<Mutation> mutations) throws Exception {
        byte[] bytes = VALID.bytes.clone();
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        Path file = DIR.resolve("m-%05d.gguf".formatted(TRIES.incrementAndGet()));
        Files.write(file, bytes);
        try {
            Future<Throwable> check = CHECKER.submit(() -> openAndValidate(file));
            Throwable thrown;
            try {
                thrown = check.get(20, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                check.cancel(true);
                throw new AssertionError("hang: no answer in 20 s for " + mutations);
            } catch (ExecutionException e) {
                thrown = e.getCause();
            }
            if (thrown == null) {
                return; // a clean validation
            }
            if (!(thrown instanceof GgufFormatException g)) {
                throw new AssertionError("unexpected " + thrown + " for " + mutations, thrown);
            }
            String m = g.getMessage();
            assertTrue(g.field() != null, "names the field, key or tensor: " + m);
            // where: a byte offset, unless the problem is a header field of fixed place or a key/tensor the file lacks
            assertTrue(BYTE.matcher(m).find() || HEADER_FIELDS.contains(g.field()) || m.contains(": missing "),
                    "gives the byte offset: " + m + " for " + mutations);
            assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
            assertTrue(m.startsWith(file + ": "), "names the file first: " + m);
            assertTrue(m.length() > file.toString().length() + 10, "says what is wrong: " + m);
            assertFalse(EXCEPTION_NAME.matcher(m).find(), "no exception class name: " + m + " for " + mutations);
            assertTrue(m.length() < 2000, "a readable line, not a dump: " + m.length() + " chars");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Returns what open + validate threw, or null when the file is a usable model. */
    private static Throwable openAndValidate(Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            GgufModelValidator.validate(f);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    @AfterProperty
    void atLeastAThousandTries() throws IOException {
        if (!FAILED.get()) {
            assertTrue(TRIES.get() >= 1000, "tries " + TRIES.get());
        }
        try (var s = Files.list(DIR)) {
            assertEquals(0, s.count(), "every mutated file was removed");
        }
    }

    // ------------------------------------------------------------------ the mutations

    /** One change to a file's bytes, printed as what it did. */
    interface Mutation {
        byte[] apply(byte[] b);
    }

    record Truncate(int length) implements Mutation {
        public byte[] apply(byte[] b) {
            return Arrays.copyOf(b, Math.min(length, b.length));
        }
    }

    record FlipByte(int at, int mask) implements Mutation {
        public byte[] apply(byte[] b) {
            if (at < b.length) {
                b[at] ^= (byte) mask;
            }
            return b;
        }
    }

    record SetI64(String field, int at, long value) implements Mutation {
        public byte[] apply(byte[] b) {
            if (at + 8 <= b.length) {
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
            }
            return b;
        }
    }

    record SetI32(String field, int at, int value) implements Mutation {
        public byte[] apply(byte[] b) {
            if (at + 4 <= b.length) {
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
            }
            return b;
        }
    }

    /** Drops {@code count} bytes at {@code at}: a shortened string or array, everything after it shifted. */
    record Cut(String field, int at, int count) implements Mutation {
        public byte[] apply(byte[] b) {
            if (at >= b.length) {
                return b;
            }
            int n = Math.min(count, b.length - at);
            byte[] out = new byte[b.length - n];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(b, at + n, out, at, b.length - at - n);
            return out;
        }
    }

    /**
     * A well-formed file whose vocabulary array {@code key} has {@code newLength} entries (a
     * shortened or lengthened array that the reader parses without trouble: the validator's case).
     */
    record ResizeArray(String key, int newLength) implements Mutation {
        public byte[] apply(byte[] ignored) {
            GgufWriter plan = SyntheticModel.plan(NANO, QuantMix.F16);
            GgufWriter w = new GgufWriter();
            for (Map.Entry<String, GgufValue> e : plan.metadata().entrySet()) {
                GgufValue v = e.getValue();
                if (e.getKey().equals(key)) {
                    List<Object> items = new ArrayList<Object>(v.asList());
                    while (items.size() < newLength) {
                        items.add(items.getLast());
                    }
                    v = new GgufValue(GgufValueType.ARRAY, v.elementType(), List.copyOf(items.subList(0, newLength)));
                }
                w.put(e.getKey(), v);
            }
            plan.tensors().forEach(t -> w.addTensor(t.name(), t.type(), t.dims()));
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Path f = Files.createTempFile(DIR.getParent(), "tierlab-resize", ".gguf");
                try {
                    w.write(f, (t, o) -> o.write(new byte[(int) t.byteSize()]));
                    out.write(Files.readAllBytes(f));
                } finally {
                    Files.delete(f);
                }
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Values that break counts, lengths, offsets and dimensions in the ways real corruption does. */
    static Arbitrary<Long> badLong(long original) {
        return Arbitraries.oneOf(
                Arbitraries.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 32, 1L << 62, (1L << 63) - 32,
                        original + 1, original - 1, original * 2, original / 2, original + 32, original - 32,
                        original + (1L << 20), original << 32),
                Arbitraries.longs());
    }

    static Arbitrary<Integer> badInt() {
        return Arbitraries.oneOf(Arbitraries.of(-1, 0, 4, 5, 13, 31, 39, 40, 99, 1 << 16, Integer.MAX_VALUE, Integer.MIN_VALUE),
                Arbitraries.integers());
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Layout l = VALID;
        int size = l.bytes.length;
        Arbitrary<Mutation> truncate = Arbitraries.oneOf(
                Arbitraries.integers().between(0, l.dataOffset + 64),
                Arbitraries.integers().between(0, size - 1)).map(Truncate::new);
        Arbitrary<Mutation> flip = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.integers().between(0, l.dataOffset - 1), Arbitraries.integers().between(0, size - 1)),
                Arbitraries.integers().between(1, 255)).as(FlipByte::new);
        Arbitrary<Field> field = Arbitraries.of(l.fields);
        Arbitrary<Mutation> setField = field.flatMap(f -> f.bytes == 8
                ? badLong(l.le().getLong(f.at)).map(v -> (Mutation) new SetI64(f.name, f.at, v))
                : badInt().map(v -> (Mutation) new SetI32(f.name, f.at, v)));
        Arbitrary<Mutation> cut = Combinators.combine(Arbitraries.of(l.fields), Arbitraries.integers().between(1, 24))
                .as((f, n) -> new Cut(f.name, f.at, n));
        Arbitrary<Mutation> resize = Combinators.combine(
                Arbitraries.of("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"),
                Arbitraries.oneOf(Arbitraries.of(0, 1, NANO.nVocab() / 2, NANO.nVocab() - 1, NANO.nVocab() + 1),
                        Arbitraries.integers().between(0, 2 * NANO.nVocab())))
                .as(ResizeArray::new);
        Arbitrary<Mutation> one = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, truncate),
                net.jqwik.api.Tuple.of(3, flip),
                net.jqwik.api.Tuple.of(6, setField),
                net.jqwik.api.Tuple.of(2, cut),
                net.jqwik.api.Tuple.of(1, resize));
        // a resize rebuilds the file, so it goes first; byte-level mutations stack after it
        return one.list().ofMinSize(1).ofMaxSize(3).map(ms -> {
            List<Mutation> sorted = new ArrayList<>(ms.stream().filter(m -> m instanceof ResizeArray).limit(1).toList());
            ms.stream().filter(m -> !(m instanceof ResizeArray)).forEach(sorted::add);
            return sorted;
        });
    }

    // ------------------------------------------------------------------ where the fields are

    /** A header field of the valid file: {@code bytes} wide at {@code at}. */
    record Field(String name, int at, int bytes) {
        @Override
        public String toString() {
            return name + "@" + at;
        }
    }

    /** The valid file and the positions of its structural fields, found by walking its header. */
    record Layout(byte[] bytes, List<Field> fields, int dataOffset) {

        ByteBuffer le() {
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        static Layout of(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            List<Field> fields = new ArrayList<>(List.of(new Field("version", 4, 4), new Field("tensor_count", 8, 8),
                    new Field("metadata_kv_count", 16, 8)));
            long tensors = b.getLong(8);
            long kvs = b.getLong(16);
            b.position(24);
            for (long i = 0; i < kvs; i++) {
                String key = string(b, fields, "key#" + i);
                fields.add(new Field(key + ".type", b.position(), 4));
                int type = b.getInt();
                if (type == GgufValueType.ARRAY.id()) {
                    fields.add(new Field(key + ".element_type", b.position(), 4));
                    int elem = b.getInt();
                    fields.add(new Field(key + ".length", b.position(), 8));
                    long n = b.getLong();
                    for (long j = 0; j < n; j++) {
                        skipScalar(b, elem, j < 2 ? fields : null, key + "[" + j + "]");
                    }
                } else {
                    skipScalar(b, type, fields, key);
                }
            }
            for (long i = 0; i < tensors; i++) {
                String name = string(b, fields, "tensor#" + i);
                fields.add(new Field(name + ".n_dims", b.position(), 4));
                int nDims = b.getInt();
                for (int d = 0; d < nDims; d++) {
                    fields.add(new Field(name + ".dim" + d, b.position(), 8));
                    b.getLong();
                }
                fields.add(new Field(name + ".type", b.position(), 4));
                b.getInt();
                fields.add(new Field(name + ".offset", b.position(), 8));
                b.getLong();
            }
            int align = GgufFile.DEFAULT_ALIGNMENT;
            int dataOffset = (b.position() + align - 1) / align * align;
            return new Layout(bytes, List.copyOf(fields), dataOffset);
        }

        private static String string(ByteBuffer b, List<Field> fields, String what) {
            fields.add(new Field(what + ".length", b.position(), 8));
            int n = (int) b.getLong();
            byte[] s = new byte[n];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        private static void skipScalar(ByteBuffer b, int typeId, List<Field> fields, String what) {
            GgufValueType t = GgufValueType.byId(typeId).orElseThrow();
            if (t == GgufValueType.STRING) {
                if (fields != null) {
                    fields.add(new Field(what + ".length", b.position(), 8));
                }
                int n = (int) b.getLong();
                b.position(b.position() + n);
            } else {
                b.position(b.position() + t.fixedSize());
            }
        }
    }

    /** The walk above must see the file the way the reader does, or the mutations aim at nothing. */
    @net.jqwik.api.Example
    void theLayoutWalkAgreesWithTheReader() throws IOException {
        Path f = Files.write(DIR.resolve("valid.gguf"), VALID.bytes);
        try (GgufFile g = GgufFile.open(f)) {
            GgufModelValidator.validate(g);
            assertEquals(g.dataOffset(), VALID.dataOffset);
            Map<String, Long> offsets = new LinkedHashMap<>();
            VALID.fields.stream().filter(x -> x.name.endsWith(".offset"))
                    .forEach(x -> offsets.put(x.name.substring(0, x.name.length() - 7), VALID.le().getLong(x.at)));
            assertEquals(g.tensors().size(), offsets.size());
            g.tensors().forEach(t -> assertEquals(t.offset(), offsets.get(t.name()), t.name()));
        } finally {
            Files.delete(f);
        }
    }
}
