package dev.tierlab.inference.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF (v2/v3) file mapped read-only into a {@link MemorySegment}. The header is parsed eagerly;
 * tensor data stays in the mapping, addressable through {@link #tensorData}.
 */
public final class GgufFile implements AutoCloseable {

    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> tensorsByName;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        Cursor in = new Cursor(path, mapping);
        if (mapping.byteSize() < 24) {
            throw new GgufFormatException(path, "truncated: %d bytes is smaller than a GGUF header (24 bytes)"
                    .formatted(mapping.byteSize()));
        }
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw new GgufFormatException(path, "not a GGUF file (magic 0x%08x, expected 'GGUF')".formatted(magic));
        }
        version = in.i32("version");
        if (version != 2 && version != 3) {
            throw new GgufFormatException(path, "GGUF version %d is not supported (tierlab reads v2 and v3)".formatted(version));
        }
        long tensorCount = in.count("tensor count", 8);
        long kvCount = in.count("metadata count", 8);

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("metadata key #" + i);
            kv.put(key, in.value(key));
        }
        metadata = Collections.unmodifiableMap(kv);

        GgufValue align = kv.get("general.alignment");
        alignment = align == null ? DEFAULT_ALIGNMENT : (int) align.asLong();
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new GgufFormatException(path, "general.alignment %d is not a power of two".formatted(alignment));
        }

        List<GgufTensorInfo> infos = new ArrayList<>((int) tensorCount);
        for (long i = 0; i < tensorCount; i++) {
            infos.add(in.tensorInfo(i));
        }
        tensors = List.copyOf(infos);
        dataOffset = alignUp(in.position, alignment);

        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            if (byName.put(t.name(), t) != null) {
                throw new GgufFormatException(path, "tensor '%s' appears twice".formatted(t.name()));
            }
            if (t.offset() % alignment != 0) {
                throw new GgufFormatException(path, "tensor '%s' data offset %d is not aligned to %d"
                        .formatted(t.name(), t.offset(), alignment));
            }
            long end = dataOffset + t.offset() + t.byteSize();
            if (end > mapping.byteSize()) {
                throw new GgufFormatException(path, "truncated: tensor '%s' ends at byte %d but the file has %d bytes"
                        .formatted(t.name(), end, mapping.byteSize()));
            }
        }
        tensorsByName = Collections.unmodifiableMap(byName);
    }

    /** Maps and parses {@code path}; every format problem becomes a {@link GgufFormatException}. */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new GgufFile(path, arena, seg);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GgufFormatException(path, "no such file");
        } catch (IOException e) {
            arena.close();
            throw new GgufFormatException(path, "cannot read: " + e.getMessage());
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute file offset of the tensor-data section. */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /** The bytes of one tensor, a slice of the mapping (valid until {@link #close}). */
    public MemorySegment tensorData(GgufTensorInfo t) {
        return mapping.asSlice(dataOffset + t.offset(), t.byteSize());
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    public String architecture() {
        return requireString("general.architecture");
    }

    public String requireString(String key) {
        return require(key).asString();
    }

    public long requireLong(String key) {
        return require(key).asLong();
    }

    /** An architecture-scoped key, e.g. {@code archLong("block_count")} reads {@code llama.block_count}. */
    public long archLong(String suffix) {
        return requireLong(architecture() + "." + suffix);
    }

    /** An architecture-scoped numeric key, or {@code fallback} when the file does not have it. */
    public long archLongOr(String suffix, long fallback) {
        return archValue(suffix).map(GgufValue::asLong).orElse(fallback);
    }

    public Optional<GgufValue> archValue(String suffix) {
        return get(architecture() + "." + suffix);
    }

    private GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw new GgufFormatException(path, "missing metadata key '%s'".formatted(key));
        }
        return v;
    }

    @Override
    public void close() {
        arena.close();
    }

    static long alignUp(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /** A bounds-checked little-endian reader: running off the end is reported as truncation. */
    private static final class Cursor {
        private final Path path;
        private final MemorySegment seg;
        long position;

        Cursor(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        private void need(long bytes, String what) {
            if (bytes < 0 || position + bytes > seg.byteSize()) {
                throw new GgufFormatException(path, "truncated while reading %s at byte %d (file has %d bytes)"
                        .formatted(what, position, seg.byteSize()));
            }
        }

        int i32(String what) {
            need(4, what);
            int v = seg.get(I32, position);
            position += 4;
            return v;
        }

        long i64(String what) {
            need(8, what);
            long v = seg.get(I64, position);
            position += 8;
            return v;
        }

        /** A count that must be plausible: each counted item needs at least {@code minItemBytes}. */
        long count(String what, int minItemBytes) {
            long n = i64(what);
            long left = seg.byteSize() - position;
            if (n < 0 || (minItemBytes > 0 && n > left / minItemBytes)) {
                throw new GgufFormatException(path, "truncated or corrupt: %s at byte %d is %s, larger than the rest of the file (%d bytes)"
                        .formatted(what, position - 8, Long.toUnsignedString(n), left));
            }
            return n;
        }

        String string(String what) {
            long len = count(what + " length", 1);
            need(len, what);
            byte[] bytes = seg.asSlice(position, len).toArray(ValueLayout.JAVA_BYTE);
            position += len;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        GgufValue value(String key) {
            int typeId = i32("type of '" + key + "'");
            GgufValueType type = GgufValueType.byId(typeId).orElseThrow(() -> new GgufFormatException(path,
                    "metadata '%s' has unknown value type %d".formatted(key, typeId)));
            if (type != GgufValueType.ARRAY) {
                return GgufValue.of(type, scalar(type, key));
            }
            int elemId = i32("array type of '" + key + "'");
            GgufValueType elem = GgufValueType.byId(elemId).filter(t -> t != GgufValueType.ARRAY)
                    .orElseThrow(() -> new GgufFormatException(path,
                            "metadata '%s' has unsupported array element type %d".formatted(key, elemId)));
            long n = count("array length of '" + key + "'", elem == GgufValueType.STRING ? 8 : elem.fixedSize());
            List<Object> values = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) {
                values.add(scalar(elem, key));
            }
            return new GgufValue(GgufValueType.ARRAY, elem, Collections.unmodifiableList(values));
        }

        private Object scalar(GgufValueType type, String key) {
            String what = "value of '" + key + "'";
            if (type == GgufValueType.STRING) {
                return string(what);
            }
            need(type.fixedSize(), what);
            long p = position;
            position += type.fixedSize();
            return switch (type) {
                case UINT8 -> (short) Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, p));
                case INT8 -> seg.get(ValueLayout.JAVA_BYTE, p);
                case UINT16 -> Short.toUnsignedInt(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), p));
                case INT16 -> seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), p);
                case UINT32 -> Integer.toUnsignedLong(seg.get(I32, p));
                case INT32 -> seg.get(I32, p);
                case FLOAT32 -> seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), p);
                case BOOL -> seg.get(ValueLayout.JAVA_BYTE, p) != 0;
                case UINT64, INT64 -> seg.get(I64, p);
                case FLOAT64 -> seg.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), p);
                case STRING, ARRAY -> throw new AssertionError(type);
            };
        }

        GgufTensorInfo tensorInfo(long index) {
            String name = string("name of tensor #" + index);
            int nDims = i32("dimension count of tensor '" + name + "'");
            if (nDims < 1 || nDims > 4) {
                throw new GgufFormatException(path, "tensor '%s' has %d dimensions (1..4 allowed)".formatted(name, nDims));
            }
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = i64("dimension of tensor '" + name + "'");
                if (dims[d] <= 0) {
                    throw new GgufFormatException(path, "tensor '%s' has dimension %d = %d".formatted(name, d, dims[d]));
                }
            }
            int typeId = i32("type of tensor '" + name + "'");
            GgmlType type = GgmlType.byId(typeId).orElseThrow(() -> new GgufFormatException(path,
                    "tensor '%s' has unknown ggml type %d (tierlab knows: %s)".formatted(name, typeId, knownTypes())));
            long offset = i64("data offset of tensor '" + name + "'");
            if (dims[0] % type.blockSize() != 0) {
                throw new GgufFormatException(path, "tensor '%s' row of %d elements is not a multiple of %s's block size %d"
                        .formatted(name, dims[0], type, type.blockSize()));
            }
            GgufTensorInfo info = new GgufTensorInfo(name, dims, type, offset);
            try {
                info.byteSize();
            } catch (ArithmeticException e) {
                throw new GgufFormatException(path, "tensor '%s' has an impossible size %s".formatted(name, info));
            }
            return info;
        }

        private static String knownTypes() {
            StringBuilder sb = new StringBuilder();
            for (GgmlType t : GgmlType.values()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(t.name().toLowerCase());
            }
            return sb.toString();
        }
    }

}
