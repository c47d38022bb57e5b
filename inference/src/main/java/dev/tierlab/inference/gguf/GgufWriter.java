package dev.tierlab.inference.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files in one streaming pass: metadata and tensor infos first, then each tensor's
 * bytes as its {@link TensorSource} produces them, so a model of any size needs only a small buffer.
 * The file appears atomically (written beside the target, then renamed).
 */
public final class GgufWriter {

    /** Produces exactly {@link GgufTensorInfo#byteSize()} bytes for one tensor. */
    @FunctionalInterface
    public interface TensorSource {
        void write(GgufTensorInfo tensor, OutputStream out) throws IOException;
    }

    /** Called after each tensor with the bytes written so far and the total. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total, tensor) -> { };

        void update(long bytesDone, long bytesTotal, GgufTensorInfo lastTensor);
    }

    private final int alignment;
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<GgufTensorInfo> tensors = new ArrayList<>();
    private long nextOffset;

    public GgufWriter() {
        this(GgufFile.DEFAULT_ALIGNMENT);
    }

    public GgufWriter(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        this.alignment = alignment;
        if (alignment != GgufFile.DEFAULT_ALIGNMENT) {
            metadata.put("general.alignment", GgufValue.u32(alignment));
        }
    }

    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    /** Drops a metadata entry (tests derive broken files from a valid plan this way). */
    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** The metadata entries so far, in the order they will be written. */
    public Map<String, GgufValue> metadata() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Declares a tensor; data is laid out in declaration order, each start aligned. */
    public GgufTensorInfo addTensor(String name, GgmlType type, long... dims) {
        GgufTensorInfo t = new GgufTensorInfo(name, dims, type, nextOffset);
        if (dims.length == 0 || dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor %s: first dimension must be a multiple of %s's block size %d"
                    .formatted(name, type, type.blockSize()));
        }
        tensors.add(t);
        nextOffset = GgufFile.alignUp(nextOffset + t.byteSize(), alignment);
        return t;
    }

    public List<GgufTensorInfo> tensors() {
        return List.copyOf(tensors);
    }

    public long tensorDataBytes() {
        return nextOffset;
    }

    /** The size the file will have: header, alignment padding and tensor data. */
    public long plannedFileSize() {
        try (CountingOutput out = new CountingOutput(OutputStream.nullOutputStream())) {
            writeHeader(out);
            return GgufFile.alignUp(out.count, alignment) + nextOffset;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(Path target, TensorSource source) throws IOException {
        write(target, source, Progress.NONE);
    }

    public void write(Path target, TensorSource source, Progress progress) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // A sibling temp file (not createTempFile, whose 0600 mode would stick to the model file).
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        try {
            try (OutputStream file = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
                 CountingOutput out = new CountingOutput(new BufferedOutputStream(file, 1 << 20))) {
                writeHeader(out);
                out.pad(alignment);
                long dataStart = out.count;
                long done = 0;
                for (GgufTensorInfo t : tensors) {
                    long expectedStart = dataStart + t.offset();
                    out.padTo(expectedStart);
                    source.write(t, out);
                    long written = out.count - expectedStart;
                    if (written != t.byteSize()) {
                        throw new IllegalStateException("tensor %s: source wrote %d bytes, expected %d"
                                .formatted(t.name(), written, t.byteSize()));
                    }
                    done += t.byteSize();
                    progress.update(done, totalTensorBytes(), t);
                }
                out.padTo(dataStart + nextOffset);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private long totalTensorBytes() {
        return tensors.stream().mapToLong(GgufTensorInfo::byteSize).sum();
    }

    private void writeHeader(CountingOutput out) throws IOException {
        out.i32(GgufFile.MAGIC);
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.string(e.getKey());
            writeValue(out, e.getValue());
        }
        for (GgufTensorInfo t : tensors) {
            out.string(t.name());
            out.i32(t.nDims());
            for (long d : t.dims()) {
                out.i64(d);
            }
            out.i32(t.type().id());
            out.i64(t.offset());
        }
    }

    private static void writeValue(CountingOutput out, GgufValue v) throws IOException {
        out.i32(v.type().id());
        if (v.isArray()) {
            out.i32(v.elementType().id());
            List<?> items = v.asList();
            out.i64(items.size());
            for (Object item : items) {
                writeScalar(out, v.elementType(), item);
            }
        } else {
            writeScalar(out, v.type(), v.value());
        }
    }

    private static void writeScalar(CountingOutput out, GgufValueType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.write(((Number) value).intValue());
            case UINT16, INT16 -> out.i16(((Number) value).intValue());
            case UINT32, INT32 -> out.i32(((Number) value).intValue());
            case UINT64, INT64 -> out.i64(((Number) value).longValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits(((Number) value).floatValue()));
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits(((Number) value).doubleValue()));
            case BOOL -> out.write((Boolean) value ? 1 : 0);
            case STRING -> out.string((String) value);
            case ARRAY -> throw new IllegalArgumentException("nested arrays are not supported");
        }
    }

    /** Little-endian output that knows its position. */
    private static final class CountingOutput extends OutputStream {
        private final OutputStream out;
        long count;

        CountingOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        void i16(int v) throws IOException {
            write(v & 0xff);
            write((v >>> 8) & 0xff);
        }

        void i32(int v) throws IOException {
            i16(v);
            i16(v >>> 16);
        }

        void i64(long v) throws IOException {
            i32((int) v);
            i32((int) (v >>> 32));
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            write(b, 0, b.length);
        }

        void pad(int alignment) throws IOException {
            padTo(GgufFile.alignUp(count, alignment));
        }

        void padTo(long position) throws IOException {
            if (position < count) {
                throw new UncheckedIOException(new IOException("cannot pad backwards to " + position + " from " + count));
            }
            while (count < position) {
                write(0);
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
