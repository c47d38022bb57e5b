package dev.tierlab.inference.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF (v2/v3) file mapped read-only into a {@link MemorySegment}. The header is parsed eagerly;
 * tensor data stays in the mapping, addressable through {@link #tensorData}.
 *
 * <p>{@link #open} checks everything about the format that could make a reader (this one, or
 * llama.cpp's gguf_init_from_file) run out of bounds, allocate absurdly or misread: the magic and
 * version; counts and string lengths against the bytes left; metadata types; tensor names, dims (no
 * overflow of the element or byte count), types and block sizes; data offsets (aligned to
 * general.alignment, inside the data section, not overlapping). Each problem is one
 * {@link GgufFormatException}. Whether the file is a loadable model is {@link GgufModelValidator}'s part.
 */
public final class GgufFile implements AutoCloseable {

    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    static final int HEADER_BYTES = 24;
    /** llama.cpp's GGML_MAX_NAME: a tensor name must be shorter, or gguf_init_from_file refuses the file. */
    static final int MAX_TENSOR_NAME_BYTES = 64;
    /** Smallest tensor info: name length (8), one name byte, n_dims (4), one dimension (8), type (4), offset (8). */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8;
    /** Smallest metadata entry: key length (8), one key byte, type (4), a one-byte value. */
    private static final int MIN_KV_BYTES = 8 + 1 + 4 + 1;
    /** The llama.cpp build tierlab drives (de.kherud:llama), whose gguf reader these checks follow. */
    static final int LLAMA_CPP_BUILD = 4916;
    static final String TRUNCATED_FIX = "the file is incomplete: download or copy it again";
    static final String TRUNCATED_OR_CORRUPT_FIX = "the file is incomplete or corrupt: download it again or re-convert the model";
    static final String MISSING_KEY_FIX = "the model's metadata is incomplete: re-convert it with llama.cpp's convert_hf_to_gguf.py";
    static final String CORRUPT_FIX = "the file is corrupt: download it again or re-convert the model with llama.cpp's convert_hf_to_gguf.py";
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
    /** Where each metadata entry and tensor info starts in the file, for messages that point at a byte. */
    private final Map<String, Long> keyPositions = new LinkedHashMap<>();
    private final Map<String, Long> tensorInfoPositions = new LinkedHashMap<>();

    private GgufFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        long size = mapping.byteSize();
        Cursor in = new Cursor(path, mapping);
        if (size == 0) {
            throw new GgufFormatException(path, "header", "empty file (0 bytes), not a GGUF model",
                    "point at the .gguf model file, or download it again");
        }
        if (size >= 4 && mapping.get(I32, 0) != MAGIC) {
            int magic = mapping.get(I32, 0);
            throw new GgufFormatException(path, "magic", "not a GGUF file (magic 0x%08x, expected 'GGUF')".formatted(magic),
                    "give a .gguf model (convert other formats with llama.cpp's convert_hf_to_gguf.py)");
        }
        if (size < HEADER_BYTES) {
            throw new GgufFormatException(path, "header", "truncated: %d bytes is smaller than a GGUF header (%d bytes)"
                    .formatted(size, HEADER_BYTES), TRUNCATED_FIX);
        }
        in.position = 4;
        version = in.i32("version");
        if (version != 2 && version != 3) {
            boolean swapped = (version & 0xffff) == 0 && Integer.reverseBytes(version) >= 1 && Integer.reverseBytes(version) <= 3;
            throw new GgufFormatException(path, "version", swapped
                    ? "GGUF version 0x%08x: a big-endian file (tierlab reads little-endian GGUF v2 and v3)".formatted(version)
                    : "GGUF version %s is not supported (tierlab reads v2 and v3)".formatted(Integer.toUnsignedString(version)),
                    "re-convert the model with a current llama.cpp (convert_hf_to_gguf.py)");
        }
        long tensorCount = in.count("tensor_count", "tensor count", MIN_TENSOR_INFO_BYTES);
        long kvCount = in.count("metadata_kv_count", "metadata count", MIN_KV_BYTES);

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long start = in.position;
            String key = in.string("metadata key #" + i, "metadata key #" + i);
            if (kv.containsKey(key)) {
                throw new GgufFormatException(path, key, "metadata key %s at byte %d appears twice (first at byte %d)"
                        .formatted(GgufFormatException.quote(key), start, keyPositions.get(key)), CORRUPT_FIX);
            }
            keyPositions.put(key, start);
            kv.put(key, in.value(key));
        }
        metadata = Collections.unmodifiableMap(kv);

        alignment = readAlignment(path, kv.get("general.alignment"), at("general.alignment"));

        List<GgufTensorInfo> infos = new ArrayList<>((int) tensorCount);
        for (long i = 0; i < tensorCount; i++) {
            long start = in.position;
            GgufTensorInfo info = in.tensorInfo(i);
            tensorInfoPositions.putIfAbsent(info.name(), start);
            infos.add(info);
        }
        tensors = List.copyOf(infos);
        dataOffset = alignUp(in.position, alignment);
        long dataBytes = Math.max(0, size - dataOffset);

        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            String name = GgufFormatException.quote(t.name());
            if (byName.put(t.name(), t) != null) {
                throw new GgufFormatException(path, t.name(), "tensor %s appears twice (first at byte %d)"
                        .formatted(name, tensorInfoPositions.get(t.name())), CORRUPT_FIX);
            }
            long offset = t.offset();
            if (offset < 0) {
                throw new GgufFormatException(path, t.name(), "tensor %s data offset %s is negative (past 2^63)%s"
                        .formatted(name, Long.toUnsignedString(offset), at(t.name())), CORRUPT_FIX);
            }
            if (offset % alignment != 0) {
                throw new GgufFormatException(path, t.name(), "tensor %s data offset %d is not aligned to %d (general.alignment)%s"
                        .formatted(name, offset, alignment, at(t.name())), CORRUPT_FIX);
            }
            long bytes = t.byteSize();
            if (offset > dataBytes) {
                throw new GgufFormatException(path, t.name(), "tensor %s data offset %d is beyond the end of the data section (%d bytes from byte %d)%s"
                        .formatted(name, offset, dataBytes, dataOffset, at(t.name())), TRUNCATED_OR_CORRUPT_FIX);
            }
            if (bytes > dataBytes - offset) {
                BigInteger end = BigInteger.valueOf(dataOffset).add(BigInteger.valueOf(offset)).add(BigInteger.valueOf(bytes));
                throw new GgufFormatException(path, t.name(), "truncated: tensor %s (%d bytes) ends at byte %s but the file has %d bytes"
                        .formatted(name, bytes, end, size), TRUNCATED_FIX);
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensorInfo prev = byOffset.get(i - 1);
            GgufTensorInfo t = byOffset.get(i);
            if (t.offset() < prev.offset() + prev.byteSize()) {
                throw new GgufFormatException(path, t.name(), "tensor %s data [%d, %d) overlaps tensor %s [%d, %d)%s"
                        .formatted(GgufFormatException.quote(t.name()), t.offset(), t.offset() + t.byteSize(),
                                GgufFormatException.quote(prev.name()), prev.offset(), prev.offset() + prev.byteSize(), at(t.name())),
                        CORRUPT_FIX);
            }
        }
        tensorsByName = Collections.unmodifiableMap(byName);
    }

    private static int readAlignment(Path path, GgufValue align, String at) {
        if (align == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (align.type() != GgufValueType.UINT32) {
            throw new GgufFormatException(path, "general.alignment", "general.alignment is %s, not a uint32%s"
                    .formatted(describeType(align), at), CORRUPT_FIX);
        }
        long a = align.asLong();
        if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw new GgufFormatException(path, "general.alignment", "general.alignment %d is not a power of two (up to 2^30)%s".formatted(a, at),
                    CORRUPT_FIX);
        }
        return (int) a;
    }

    /** Maps and parses {@code path}; every format problem becomes a {@link GgufFormatException}. */
    public static GgufFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw new GgufFormatException(path, "path", "is a directory, not a GGUF file", "give the .gguf file itself");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new GgufFile(path, arena, seg);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GgufFormatException(path, "path", "no such file", "check the path (a model is a .gguf file)");
        } catch (AccessDeniedException e) {
            arena.close();
            throw new GgufFormatException(path, "path", "cannot read: permission denied", "make the file readable");
        } catch (IOException e) {
            arena.close();
            throw new GgufFormatException(path, "path", "cannot read: " + e.getMessage(), "check that it is a readable .gguf file");
        } catch (RuntimeException | Error e) {
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

    /** A string-valued key; missing or of another type is a {@link GgufFormatException} naming it. */
    public String requireString(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.STRING) {
            throw wrongType(key, v, "a string");
        }
        return v.asString();
    }

    /** An integer-valued key (any of the GGUF integer types); missing or of another type is a {@link GgufFormatException}. */
    public long requireLong(String key) {
        return integer(key, require(key));
    }

    /** An architecture-scoped key, e.g. {@code archLong("block_count")} reads {@code llama.block_count}. */
    public long archLong(String suffix) {
        return requireLong(architecture() + "." + suffix);
    }

    /** An architecture-scoped integer key, or {@code fallback} when the file does not have it. */
    public long archLongOr(String suffix, long fallback) {
        String key = architecture() + "." + suffix;
        return get(key).map(v -> integer(key, v)).orElse(fallback);
    }

    public Optional<GgufValue> archValue(String suffix) {
        return get(architecture() + "." + suffix);
    }

    private long integer(String key, GgufValue v) {
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        return v.asLong();
    }

    GgufFormatException wrongType(String key, GgufValue v, String expected) {
        return new GgufFormatException(path, key, "metadata %s is %s, expected %s%s".formatted(GgufFormatException.quote(key),
                describeType(v), expected, at(key)), CORRUPT_FIX);
    }

    /**
     * " (metadata at byte N)" or " (tensor info at byte N)" for a key or tensor the file declares,
     * "" for one it does not (a missing key has no place in the file).
     */
    public String at(String field) {
        if (field == null) {
            return "";
        }
        Long k = keyPositions.get(field);
        if (k != null) {
            return " (metadata at byte " + k + ")";
        }
        Long t = tensorInfoPositions.get(field);
        return t == null ? "" : " (tensor info at byte " + t + ")";
    }

    static String describeType(GgufValue v) {
        String t = v.type().name().toLowerCase(Locale.ROOT);
        return v.isArray() ? "an array of " + v.elementType().name().toLowerCase(Locale.ROOT)
                : (t.startsWith("i") ? "an " : "a ") + t;
    }

    private GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw new GgufFormatException(path, key, "missing metadata key %s".formatted(GgufFormatException.quote(key)),
                    MISSING_KEY_FIX);
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

        private void need(long bytes, String field, String what) {
            if (bytes < 0 || bytes > seg.byteSize() - position) {
                throw new GgufFormatException(path, field, "truncated while reading %s at byte %d (file has %d bytes)"
                        .formatted(what, position, seg.byteSize()), TRUNCATED_FIX);
            }
        }

        int i32(String what) {
            return i32(what, what);
        }

        int i32(String field, String what) {
            need(4, field, what);
            int v = seg.get(I32, position);
            position += 4;
            return v;
        }

        long i64(String field, String what) {
            need(8, field, what);
            long v = seg.get(I64, position);
            position += 8;
            return v;
        }

        /** A count that must be plausible: each counted item needs at least {@code minItemBytes}. */
        long count(String field, String what, int minItemBytes) {
            long n = i64(field, what);
            long left = seg.byteSize() - position;
            if (n < 0 || (minItemBytes > 0 && n > left / minItemBytes)) {
                throw new GgufFormatException(path, field,
                        "truncated or corrupt: %s at byte %d is %s, larger than the rest of the file (%d bytes) can hold"
                        .formatted(what, position - 8, Long.toUnsignedString(n), left), TRUNCATED_OR_CORRUPT_FIX);
            }
            return n;
        }

        String string(String field, String what) {
            long len = count(field, what + " length", 1);
            if (len > Integer.MAX_VALUE - 16) {
                throw new GgufFormatException(path, field, "%s length %d at byte %d is absurd (over 2 GiB)".formatted(what, len, position - 8), CORRUPT_FIX);
            }
            need(len, field, what);
            byte[] bytes = seg.asSlice(position, len).toArray(ValueLayout.JAVA_BYTE);
            position += len;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        GgufValue value(String key) {
            String q = GgufFormatException.quote(key);
            long typeAt = position;
            int typeId = i32(key, "type of " + q);
            GgufValueType type = GgufValueType.byId(typeId).orElseThrow(() -> new GgufFormatException(path, key,
                    "metadata %s has unknown value type %d at byte %d".formatted(q, typeId, typeAt), CORRUPT_FIX));
            if (type != GgufValueType.ARRAY) {
                return GgufValue.of(type, scalar(type, key, q));
            }
            long elemAt = position;
            int elemId = i32(key, "array type of " + q);
            GgufValueType elem = GgufValueType.byId(elemId).filter(t -> t != GgufValueType.ARRAY)
                    .orElseThrow(() -> new GgufFormatException(path, key,
                            "metadata %s has unsupported array element type %d at byte %d".formatted(q, elemId, elemAt), CORRUPT_FIX));
            long n = count(key, "array length of " + q, elem == GgufValueType.STRING ? 8 : elem.fixedSize());
            List<Object> values = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) {
                values.add(scalar(elem, key, q));
            }
            return new GgufValue(GgufValueType.ARRAY, elem, Collections.unmodifiableList(values));
        }

        private Object scalar(GgufValueType type, String key, String quoted) {
            String what = "value of " + quoted;
            if (type == GgufValueType.STRING) {
                return string(key, what);
            }
            need(type.fixedSize(), key, what);
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
            String field = "tensor #" + index;
            long start = position;
            String name = string(field, "name of tensor #" + index);
            String at = " (tensor info at byte " + start + ")";
            String q = GgufFormatException.quote(name);
            int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (nameBytes >= MAX_TENSOR_NAME_BYTES) {
                throw new GgufFormatException(path, name, "tensor #%d name %s is %d bytes; llama.cpp allows at most %d%s"
                        .formatted(index, q, nameBytes, MAX_TENSOR_NAME_BYTES - 1, at), CORRUPT_FIX);
            }
            int nDims = i32(name, "dimension count of tensor " + q);
            if (nDims < 1 || nDims > 4) {
                throw new GgufFormatException(path, name, "tensor %s has %d dimensions (1..4 allowed)%s".formatted(q, nDims, at), CORRUPT_FIX);
            }
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = i64(name, "dimension of tensor " + q);
                if (dims[d] <= 0) {
                    throw new GgufFormatException(path, name, "tensor %s has dimension %d = %d (must be positive)%s"
                            .formatted(q, d, dims[d], at), CORRUPT_FIX);
                }
            }
            int typeId = i32(name, "type of tensor " + q);
            GgmlType type = GgmlType.byId(typeId).orElseThrow(() -> new GgufFormatException(path, name,
                    "tensor %s has unknown ggml type %d%s (tierlab knows: %s)".formatted(q, typeId, at, knownTypes()),
                    "re-quantize the model with a type llama.cpp b" + LLAMA_CPP_BUILD + " supports"));
            long offset = i64(name, "data offset of tensor " + q);
            if (dims[0] % type.blockSize() != 0) {
                throw new GgufFormatException(path, name, "tensor %s row of %d elements is not a multiple of %s's block size %d%s"
                        .formatted(q, dims[0], type.ggmlName(), type.blockSize(), at), CORRUPT_FIX);
            }
            GgufTensorInfo info = new GgufTensorInfo(name, dims, type, offset);
            try {
                info.byteSize();
            } catch (ArithmeticException e) {
                throw new GgufFormatException(path, name, "tensor %s dimensions %s overflow: its size does not fit in 64 bits%s"
                        .formatted(q, Arrays.toString(dims), at), CORRUPT_FIX);
            }
            return info;
        }

        private static String knownTypes() {
            StringBuilder sb = new StringBuilder();
            for (GgmlType t : GgmlType.values()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(t.ggmlName());
            }
            return sb.toString();
        }
    }

}
