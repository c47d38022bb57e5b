package dev.tierlab.inference.model;

import dev.tierlab.inference.gguf.GgmlType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random but valid tensor data. Each type gets a seeded pool of quantization blocks whose scale
 * fields are finite, small, positive halves (so dequantized weights are roughly N(0, sigma));
 * quant bits are uniform. A tensor streams the pool cyclically from a seeded block offset, so
 * writing a multi-GiB model costs about one pass of disk bandwidth and no heap beyond the pools.
 * Inference time depends on shapes and types, not on these values.
 */
public final class RandomBlocks {

    /** Types whose block layout tierlab knows well enough to make valid random blocks. */
    public static boolean supports(GgmlType t) {
        return switch (t) {
            case F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K -> true;
            default -> false;
        };
    }

    private static final int POOL_BYTES = 1 << 20;
    private static final float SIGMA = 0.02f;

    private final long seed;
    private final Map<GgmlType, byte[]> pools = new EnumMap<>(GgmlType.class);

    public RandomBlocks(long seed) {
        this.seed = seed;
    }

    /** Streams {@code bytes} bytes of random valid {@code type} data, starting at a seeded block. */
    public void write(GgmlType type, long bytes, String tensorName, OutputStream out) throws IOException {
        byte[] pool = pools.computeIfAbsent(type, this::makePool);
        int blocks = pool.length / type.bytesPerBlock();
        long mix = new SplittableRandom(seed ^ tensorName.hashCode() * 0x9E3779B97F4A7C15L).nextLong();
        int pos = (int) Math.floorMod(mix, (long) blocks) * type.bytesPerBlock();
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(left, pool.length - pos);
            out.write(pool, pos, n);
            left -= n;
            pos = (pos + n) % pool.length;
        }
    }

    /**
     * The bytes {@link #write} streams for {@code tensorName} at {@code [offset, offset + dst.length)},
     * without writing the tensor (the router calibration reads embedding rows this way).
     */
    public void read(GgmlType type, String tensorName, long offset, byte[] dst) {
        byte[] pool = pools.computeIfAbsent(type, this::makePool);
        int blocks = pool.length / type.bytesPerBlock();
        long mix = new SplittableRandom(seed ^ tensorName.hashCode() * 0x9E3779B97F4A7C15L).nextLong();
        long start = Math.floorMod(mix, (long) blocks) * (long) type.bytesPerBlock();
        int pos = (int) ((start + offset) % pool.length);
        for (int i = 0; i < dst.length; i++) {
            dst[i] = pool[pos];
            pos = pos + 1 == pool.length ? 0 : pos + 1;
        }
    }

    /** Writes {@code elements} copies of a constant F32 value (norm weights, rope factors). */
    public static void writeConstantF32(float value, long elements, OutputStream out) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        for (long i = 0; i < elements; i++) {
            out.write(b.array());
        }
    }

    private byte[] makePool(GgmlType type) {
        if (!supports(type)) {
            throw new IllegalArgumentException("cannot synthesize tensors of type " + type);
        }
        int blocks = POOL_BYTES / type.bytesPerBlock();
        ByteBuffer buf = ByteBuffer.allocate(blocks * type.bytesPerBlock()).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom rnd = new SplittableRandom(seed * 31 + type.id());
        for (int b = 0; b < blocks; b++) {
            fillBlock(type, buf, b * type.bytesPerBlock(), rnd);
        }
        return buf.array();
    }

    private static void fillBlock(GgmlType type, ByteBuffer buf, int at, SplittableRandom rnd) {
        switch (type) {
            case F32 -> buf.putFloat(at, gaussian(rnd));
            case F16 -> buf.putShort(at, Float.floatToFloat16(gaussian(rnd)));
            case BF16 -> buf.putShort(at, (short) (Float.floatToRawIntBits(gaussian(rnd)) >>> 16));
            default -> {
                for (int i = 0; i < type.bytesPerBlock(); i++) {
                    buf.put(at + i, (byte) rnd.nextInt(256));
                }
                setScales(type, buf, at, rnd);
            }
        }
    }

    /**
     * Overwrites the scale fields of one block (offsets from ggml-common.h's block_* structs) with
     * values that make the dequantized weights about SIGMA in magnitude.
     */
    private static void setScales(GgmlType type, ByteBuffer buf, int at, SplittableRandom rnd) {
        switch (type) {
            case Q4_0 -> half(buf, at, SIGMA / 4.6f, rnd);
            case Q4_1 -> { float d = half(buf, at, SIGMA / 4.6f, rnd); buf.putShort(at + 2, Float.floatToFloat16(-8 * d)); }
            case Q5_0 -> half(buf, at, SIGMA / 9.2f, rnd);
            case Q5_1 -> { float d = half(buf, at, SIGMA / 9.2f, rnd); buf.putShort(at + 2, Float.floatToFloat16(-16 * d)); }
            case Q8_0 -> half(buf, at, SIGMA / 74f, rnd);
            case Q2_K -> { half(buf, at + 80, SIGMA / 8f, rnd); half(buf, at + 82, SIGMA / 16f, rnd); }
            case Q3_K -> half(buf, at + 108, SIGMA / 60f, rnd);
            case Q4_K, Q5_K -> { half(buf, at, SIGMA / 150f, rnd); half(buf, at + 2, SIGMA / 150f, rnd); }
            case Q6_K -> half(buf, at + 208, SIGMA / 1370f, rnd);
            case Q8_K -> {
                buf.putFloat(at, SIGMA / 74f);
                for (int g = 0; g < 16; g++) { // bsums: sums of each 16 quants, as quantize_row_q8_K stores them
                    int sum = 0;
                    for (int i = 0; i < 16; i++) {
                        sum += buf.get(at + 4 + g * 16 + i);
                    }
                    buf.putShort(at + 260 + g * 2, (short) sum);
                }
            }
            default -> throw new IllegalArgumentException("no scale layout for " + type);
        }
    }

    /** Stores a positive half near {@code target} (jittered by up to 25%) and returns its value. */
    private static float half(ByteBuffer buf, int at, float target, SplittableRandom rnd) {
        short h = Float.floatToFloat16(target * (0.75f + 0.5f * (float) rnd.nextDouble()));
        buf.putShort(at, h);
        return Float.float16ToFloat(h);
    }

    private static float gaussian(SplittableRandom rnd) {
        // Irwin-Hall approximation: deterministic across JDKs, unlike nextGaussian's algorithm choice.
        double s = 0;
        for (int i = 0; i < 12; i++) {
            s += rnd.nextDouble();
        }
        return (float) ((s - 6) * SIGMA);
    }
}
