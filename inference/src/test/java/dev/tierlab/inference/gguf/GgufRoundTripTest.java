package dev.tierlab.inference.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.model.RandomBlocks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {

    @TempDir
    Path dir;

    /** The types the issue names; each must survive writer -> reader with identical bytes. */
    static final List<GgmlType> SUPPORTED = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0,
            GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
            GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K);

    @Test
    void everySupportedTypeRoundTripsWithItsShapeOffsetAndBytes() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        Map<String, byte[]> written = new HashMap<>();
        RandomBlocks random = new RandomBlocks(7);
        for (GgmlType t : SUPPORTED) {
            // two rows of 512 elements: a multiple of every block size, and 3-D for one type to cover dims
            long[] dims = t == GgmlType.Q4_K ? new long[] {512, 2, 3} : new long[] {512, 2};
            w.addTensor("t." + t.name(), t, dims);
        }
        Path file = dir.resolve("all-types.gguf");
        w.write(file, (info, out) -> {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            random.write(info.type(), info.byteSize(), info.name(), buf);
            written.put(info.name(), buf.toByteArray());
            out.write(buf.toByteArray());
        });

        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(3, f.version());
            assertEquals(SUPPORTED.size(), f.tensors().size());
            assertEquals(w.plannedFileSize(), f.fileSize());
            for (GgmlType t : SUPPORTED) {
                GgufTensorInfo info = f.tensor("t." + t.name()).orElseThrow();
                assertEquals(t, info.type());
                long elements = t == GgmlType.Q4_K ? 512 * 6 : 1024;
                assertEquals(elements, info.elementCount());
                assertEquals(elements / t.blockSize() * t.bytesPerBlock(), info.byteSize(), t + " byte size");
                assertEquals(0, (f.dataOffset() + info.offset()) % 32, t + " alignment");
                assertArrayEquals(written.get(info.name()), f.tensorData(info).toArray(ValueLayout.JAVA_BYTE), t + " bytes");
            }
        }
    }

    @Test
    void blockGeometryMatchesGgml() {
        // bytes per block from ggml-common.h's block structs
        assertEquals(18, GgmlType.Q4_0.bytesPerBlock());
        assertEquals(20, GgmlType.Q4_1.bytesPerBlock());
        assertEquals(22, GgmlType.Q5_0.bytesPerBlock());
        assertEquals(24, GgmlType.Q5_1.bytesPerBlock());
        assertEquals(34, GgmlType.Q8_0.bytesPerBlock());
        assertEquals(84, GgmlType.Q2_K.bytesPerBlock());
        assertEquals(110, GgmlType.Q3_K.bytesPerBlock());
        assertEquals(144, GgmlType.Q4_K.bytesPerBlock());
        assertEquals(176, GgmlType.Q5_K.bytesPerBlock());
        assertEquals(210, GgmlType.Q6_K.bytesPerBlock());
        assertEquals(292, GgmlType.Q8_K.bytesPerBlock());
        assertEquals(4.5, GgmlType.Q4_0.bitsPerWeight(), 1e-9);
        assertEquals(6.5625, GgmlType.Q6_K.bitsPerWeight(), 1e-9);
    }

    @Test
    void metadataOfEveryValueTypeRoundTrips() throws IOException {
        GgufWriter w = new GgufWriter(64);
        w.put("u8", GgufValue.of(GgufValueType.UINT8, (short) 200));
        w.put("i8", GgufValue.of(GgufValueType.INT8, (byte) -5));
        w.put("u16", GgufValue.of(GgufValueType.UINT16, 60000));
        w.put("i16", GgufValue.of(GgufValueType.INT16, (short) -300));
        w.put("u32", GgufValue.u32(4_000_000_000L));
        w.put("i32", GgufValue.of(GgufValueType.INT32, -7));
        w.put("f32", GgufValue.f32(1.5f));
        w.put("bool", GgufValue.bool(true));
        w.put("str", GgufValue.string("héllo ▁world"));
        w.put("u64", GgufValue.of(GgufValueType.UINT64, 1L << 40));
        w.put("i64", GgufValue.of(GgufValueType.INT64, -(1L << 40)));
        w.put("f64", GgufValue.of(GgufValueType.FLOAT64, Math.PI));
        w.put("strings", GgufValue.array(GgufValueType.STRING, List.of("a", "", "ccc")));
        w.put("floats", GgufValue.array(GgufValueType.FLOAT32, List.of(1f, -2f)));
        w.addTensor("x", GgmlType.F32, 8);
        Path file = dir.resolve("meta.gguf");
        w.write(file, (info, out) -> out.write(new byte[(int) info.byteSize()]));

        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(200L, f.get("u8").orElseThrow().asLong());
            assertEquals(-5L, f.get("i8").orElseThrow().asLong());
            assertEquals(60000L, f.get("u16").orElseThrow().asLong());
            assertEquals(-300L, f.get("i16").orElseThrow().asLong());
            assertEquals(4_000_000_000L, f.get("u32").orElseThrow().asLong());
            assertEquals(-7L, f.get("i32").orElseThrow().asLong());
            assertEquals(1.5, f.get("f32").orElseThrow().asDouble());
            assertEquals(true, f.get("bool").orElseThrow().value());
            assertEquals("héllo ▁world", f.get("str").orElseThrow().asString());
            assertEquals(1L << 40, f.get("u64").orElseThrow().asLong());
            assertEquals(-(1L << 40), f.get("i64").orElseThrow().asLong());
            assertEquals(Math.PI, f.get("f64").orElseThrow().asDouble());
            assertEquals(List.of("a", "", "ccc"), f.get("strings").orElseThrow().asList());
            assertEquals(List.of(1f, -2f), f.get("floats").orElseThrow().asList());
        }
    }

    @Test
    void randomQuantBlocksHaveFiniteSmallScales() throws IOException {
        RandomBlocks random = new RandomBlocks(1);
        for (GgmlType t : List.of(GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            random.write(t, 100L * t.bytesPerBlock(), "w", buf);
            ByteBuffer b = ByteBuffer.wrap(buf.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            int scaleOffset = switch (t) {
                case Q6_K -> 208;
                default -> 0;
            };
            for (int block = 0; block < 100; block++) {
                float d = Float.float16ToFloat(b.getShort(block * t.bytesPerBlock() + scaleOffset));
                assertTrue(Float.isFinite(d) && d > 0 && d < 0.01f, t + " scale " + d);
            }
        }
    }

    @Test
    void writerIsAtomicAndLeavesNoPartialFileOnFailure() {
        GgufWriter w = new GgufWriter();
        w.addTensor("x", GgmlType.F32, 8);
        Path file = dir.resolve("broken.gguf");
        try {
            w.write(file, (info, out) -> out.write(new byte[3]));
        } catch (Exception expected) {
            assertTrue(expected.getMessage().contains("source wrote 3 bytes"));
        }
        assertTrue(Files.notExists(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(Path::getFileName).map(Path::toString).toList(),
                    "no temp file left: " + Arrays.toString(dir.toFile().list()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
