package dev.tierlab.inference.gguf;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * ggml tensor element types with their on-disk ids and block geometry, as in ggml.h / ggml.c
 * (type_traits: blck_size, type_size). A tensor of {@code n} elements along its first dimension
 * occupies {@code n / blockSize * bytesPerBlock} bytes per row.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    public int id() {
        return id;
    }

    /** Elements per quantization block (1 for plain float/int types). */
    public int blockSize() {
        return blockSize;
    }

    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes of {@code elements} values, exactly; {@code elements} must be a multiple of the block size.
     *
     * @throws ArithmeticException when the byte count does not fit in a long
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    "%d elements is not a multiple of %s's block size %d".formatted(elements, this, blockSize));
        }
        return Math.multiplyExact(elements / blockSize, (long) bytesPerBlock);
    }

    public double bitsPerWeight() {
        return 8.0 * bytesPerBlock / blockSize;
    }

    /** The name ggml prints, e.g. {@code q4_K}, {@code f16}. */
    public String ggmlName() {
        String lower = name().toLowerCase(Locale.ROOT);
        return lower.endsWith("_k") ? lower.substring(0, lower.length() - 1) + "K" : lower;
    }

    public static Optional<GgmlType> byId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
    }

    /** Accepts {@code q4_k}, {@code Q4_K}, {@code q4_K}. */
    public static Optional<GgmlType> byName(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.name().equals(upper)).findFirst();
    }
}
