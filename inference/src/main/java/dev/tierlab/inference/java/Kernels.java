package dev.tierlab.inference.java;

import dev.tierlab.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of one weight row (in its GGUF encoding, read straight from the mapped file) with
 * one token's activations, one kernel per quant type, written with the Vector API: q8_0 meets
 * q8_0-quantized activations in integer lanes, the others float activations; the K-quants fold
 * their scales and mins into the lane-wise sums. Block layouts follow ggml-common.h. q4_0 is read
 * in its own layout by {@link GroupedQ4}.
 */
final class Kernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;

    /**
     * Whether this machine's vectors are 512 bits wide (AVX-512), where the q8_0 and q4_0 kernels
     * have wide forms (one block, or a slice of 16 q4_0 blocks, per vector).
     */
    static final boolean WIDE_VECTORS = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Kernels() {
    }

    /**
     * The 8 lanes' sum in a fixed order. FloatVector.reduceLanes(ADD) leaves the order open, and
     * the interpreted and JIT-compiled paths do differ, so the same input could give different
     * logits before and after warm-up.
     *
     * <p>Each vector helper here serves one vector shape only ({@link #sumWide} and
     * {@link #f16ToFloatsWide} are the 512-bit twins). HotSpot keeps one type profile per method
     * for all the places it is inlined into: a helper that had seen both shapes made C2 give up
     * on the Vector API intrinsics in it, and every call allocated (KernelAllocationTest).
     */
    static float sum(FloatVector v) {
        return ((v.lane(0) + v.lane(1)) + (v.lane(2) + v.lane(3))) + ((v.lane(4) + v.lane(5)) + (v.lane(6) + v.lane(7)));
    }

    /** The 16 lanes' sum of a 512-bit vector, in a fixed order. */
    static float sumWide(FloatVector v) {
        return wideEighth(v, 0) + wideEighth(v, 8);
    }

    private static float wideEighth(FloatVector v, int o) {
        return ((v.lane(o) + v.lane(o + 1)) + (v.lane(o + 2) + v.lane(o + 3))) + ((v.lane(o + 4) + v.lane(o + 5)) + (v.lane(o + 6) + v.lane(o + 7)));
    }

    static boolean supports(GgmlType t) {
        return switch (t) {
            case F32, F16, Q8_0, Q4_0, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    static float dotF32(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 8; i += 8) {
            acc = FloatVector.fromMemorySegment(F, w, off + 4L * i, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float s = sum(acc);
        for (; i < n; i++) {
            s += w.get(F32, off + 4L * i) * x[xOff + i];
        }
        return s;
    }

    static float dotF16(MemorySegment w, long off, float[] x, int xOff, int n) {
        float s0 = 0;
        float s1 = 0;
        int i = 0;
        for (; i <= n - 2; i += 2) {
            s0 += Float.float16ToFloat(w.get(I16, off + 2L * i)) * x[xOff + i];
            s1 += Float.float16ToFloat(w.get(I16, off + 2L * i + 2)) * x[xOff + i + 1];
        }
        for (; i < n; i++) {
            s0 += Float.float16ToFloat(w.get(I16, off + 2L * i)) * x[xOff + i];
        }
        return s0 + s1;
    }

    /**
     * Q8_0 . q8_0 activations (32 values per block, f16 scale, int8): per block the 32 products are
     * formed in 16-bit lanes (|w*x| <= 127*127, two of them still fit), summed pairwise into 32-bit
     * lanes, converted once and scaled by d_w*d_x, as llama.cpp's ggml_vec_dot_q8_0_q8_0 does. Two
     * accumulators keep the fused multiply-adds of neighbouring blocks independent.
     */
    static float dotQ8_0(MemorySegment w, long off, short[] xq, float[] xd, int blocks) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long bo = off + 34L * b;
            acc0 = q8Block(w, bo, xq, 32 * b, f16(w, bo) * xd[b], acc0);
            acc1 = q8Block(w, bo + 34, xq, 32 * b + 32, f16(w, bo + 34) * xd[b + 1], acc1);
        }
        if (b < blocks) {
            long bo = off + 34L * b;
            acc0 = q8Block(w, bo, xq, 32 * b, f16(w, bo) * xd[b], acc0);
        }
        return sum(acc0.add(acc1));
    }

    private static FloatVector q8Block(MemorySegment w, long bo, short[] xq, int xb, float scale, FloatVector acc) {
        ShortVector p = widen(w, bo + 2).mul(ShortVector.fromArray(S, xq, xb)).add(widen(w, bo + 18).mul(ShortVector.fromArray(S, xq, xb + 16)));
        return scaled(pairSums(p), scale, acc);
    }

    /**
     * Q8_0 . q8_0 activations on 512-bit vectors: a block's 32 products in one vector of 16-bit
     * lanes, pairwise summed into 16 int lanes (measured ~3% faster per token than two 256-bit
     * halves on an AVX-512 machine, within its noise).
     */
    static float dotQ8_0Wide(MemorySegment w, long off, short[] xq, float[] xd, int blocks) {
        FloatVector acc0 = FloatVector.zero(F512);
        FloatVector acc1 = FloatVector.zero(F512);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long bo = off + 34L * b;
            acc0 = q8WideBlock(w, bo, xq, 32 * b, f16(w, bo) * xd[b], acc0);
            acc1 = q8WideBlock(w, bo + 34, xq, 32 * b + 32, f16(w, bo + 34) * xd[b + 1], acc1);
        }
        if (b < blocks) {
            long bo = off + 34L * b;
            acc0 = q8WideBlock(w, bo, xq, 32 * b, f16(w, bo) * xd[b], acc0);
        }
        return sumWide(acc0.add(acc1));
    }

    // The 512-bit blocks spell out their pair sums and scaling instead of calling pairSums/scaled:
    // sharing those helpers across both widths measured slower (tg128 lower in 4 of 5 paired rounds).
    private static FloatVector q8WideBlock(MemorySegment w, long bo, short[] xq, int xb, float scale, FloatVector acc) {
        ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B256, w, bo + 2, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
        IntVector v = q.mul(ShortVector.fromArray(S512, xq, xb)).reinterpretAsInts();
        IntVector p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
        return ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, scale), acc);
    }

    /** 16 int8 values at {@code at}, sign-extended to 16-bit lanes. */
    private static ShortVector widen(MemorySegment w, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(B128, w, at, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
    }

    /** Adjacent 16-bit lanes summed into 32-bit lanes: the low half sign-extended plus the high half. */
    private static IntVector pairSums(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }

    private static FloatVector scaled(IntVector sums, float scale, FloatVector acc) {
        return ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
    }

    private static float f16(MemorySegment w, long at) {
        return Float.float16ToFloat(w.get(I16, at));
    }

    /**
     * x quantized the way llama.cpp quantizes activations for q8_0 and q4_0 weights: per 32 values
     * d = max|x|/127, q = round(x/d) (to nearest even, as its AVX2 path rounds), d kept at f16
     * precision. The codes are stored widened to 16 bits, the form the kernels multiply in.
     */
    static void quantizeQ8(float[] x, short[] q, float[] d) {
        for (int b = 0; b < x.length / 32; b++) {
            int o = 32 * b;
            FloatVector m = FloatVector.fromArray(F, x, o).abs()
                    .max(FloatVector.fromArray(F, x, o + 8).abs())
                    .max(FloatVector.fromArray(F, x, o + 16).abs())
                    .max(FloatVector.fromArray(F, x, o + 24).abs());
            float amax = m.reduceLanes(VectorOperators.MAX);
            float scale = amax / 127;
            float inverse = scale != 0 ? 1 / scale : 0;
            d[b] = Float.float16ToFloat(Float.floatToFloat16(scale));
            for (int i = o; i < o + 32; i++) {
                q[i] = (short) Math.rint(x[i] * inverse);
            }
        }
    }

    /**
     * Q4_K without dequantizing to scratch: per 32 values, value = d*sc*q - dmin*m, so the dot is
     * sum(q*x)*(d*sc) - sum(x)*(dmin*m), both accumulated lane-wise and reduced once per row.
     */
    static float dotQ4K(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 256; b++) {
            long bo = off + 144L * b;
            float d = Float.float16ToFloat(w.get(I16, bo));
            float dmin = Float.float16ToFloat(w.get(I16, bo + 2));
            long scales = bo + 4;
            long qs = bo + 16;
            for (int j = 0; j < 4; j++) {
                int is = 2 * j;
                FloatVector dLo = FloatVector.broadcast(F, d * scale4(w, scales, is));
                FloatVector mLo = FloatVector.broadcast(F, -dmin * min4(w, scales, is));
                FloatVector dHi = FloatVector.broadcast(F, d * scale4(w, scales, is + 1));
                FloatVector mHi = FloatVector.broadcast(F, -dmin * min4(w, scales, is + 1));
                int xb = xOff + 256 * b + 64 * j;
                for (int k = 0; k < 4; k++) {
                    ByteVector q = ByteVector.fromMemorySegment(B64, w, qs + 32L * j + 8L * k, ByteOrder.LITTLE_ENDIAN);
                    FloatVector xl = FloatVector.fromArray(F, x, xb + 8 * k);
                    FloatVector xh = FloatVector.fromArray(F, x, xb + 32 + 8 * k);
                    FloatVector lo = (FloatVector) q.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, F, 0);
                    acc = lo.mul(dLo).add(mLo).fma(xl, acc);
                    acc = hi.mul(dHi).add(mHi).fma(xh, acc);
                }
            }
        }
        return sum(acc);
    }

    private static int scale4(MemorySegment w, long q, int j) {
        return j < 4 ? b(w, q + j) & 63 : (b(w, q + j + 4) & 0xF) | ((b(w, q + j - 4) >> 6) << 4);
    }

    private static int min4(MemorySegment w, long q, int j) {
        return j < 4 ? b(w, q + j + 4) & 63 : (b(w, q + j + 4) >> 4) | ((b(w, q + j) >> 6) << 4);
    }

    /** block_q4_K: d, dmin (f16), 12 bytes of 6-bit scales and mins, 128 bytes of nibbles. */
    static void dequantQ4K(MemorySegment w, long bo, float[] y, int yOff) {
        float d = Float.float16ToFloat(w.get(I16, bo));
        float dmin = Float.float16ToFloat(w.get(I16, bo + 2));
        long scales = bo + 4;
        long qs = bo + 16;
        int is = 0;
        for (int j = 0; j < 256; j += 64) {
            int[] sm1 = scaleMinK4(w, scales, is);
            int[] sm2 = scaleMinK4(w, scales, is + 1);
            float d1 = d * sm1[0];
            float m1 = dmin * sm1[1];
            float d2 = d * sm2[0];
            float m2 = dmin * sm2[1];
            for (int l = 0; l < 32; l++) {
                int q = w.get(ValueLayout.JAVA_BYTE, qs + l) & 0xFF;
                y[yOff + j + l] = d1 * (q & 0xF) - m1;
                y[yOff + j + 32 + l] = d2 * (q >> 4) - m2;
            }
            qs += 32;
            is += 2;
        }
    }

    private static int[] scaleMinK4(MemorySegment w, long q, int j) {
        int sc;
        int m;
        if (j < 4) {
            sc = b(w, q + j) & 63;
            m = b(w, q + j + 4) & 63;
        } else {
            sc = (b(w, q + j + 4) & 0xF) | ((b(w, q + j - 4) >> 6) << 4);
            m = (b(w, q + j + 4) >> 4) | ((b(w, q + j) >> 6) << 4);
        }
        return new int[] {sc, m};
    }

    /** Q6_K without scratch: 8 values at a time, their 6-bit codes assembled from ql and qh lane-wise. */
    static float dotQ6K(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 256; b++) {
            long bo = off + 210L * b;
            float d = Float.float16ToFloat(w.get(I16, bo + 208));
            for (int half = 0; half < 2; half++) {
                long ql = bo + 64L * half;
                long qh = bo + 128 + 32L * half;
                long sc = bo + 192 + 8L * half;
                int xb = xOff + 256 * b + 128 * half;
                for (int l = 0; l < 32; l += 8) {
                    int is = l / 16;
                    ByteVector a = ByteVector.fromMemorySegment(B64, w, ql + l, ByteOrder.LITTLE_ENDIAN);
                    ByteVector c = ByteVector.fromMemorySegment(B64, w, ql + l + 32, ByteOrder.LITTLE_ENDIAN);
                    ByteVector h = ByteVector.fromMemorySegment(B64, w, qh + l, ByteOrder.LITTLE_ENDIAN);
                    ByteVector q1 = a.and((byte) 0x0F).or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q2 = c.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 6).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    acc = sixBit(q1, d * w.get(ValueLayout.JAVA_BYTE, sc + is)).fma(FloatVector.fromArray(F, x, xb + l), acc);
                    acc = sixBit(q2, d * w.get(ValueLayout.JAVA_BYTE, sc + is + 2)).fma(FloatVector.fromArray(F, x, xb + l + 32), acc);
                    acc = sixBit(q3, d * w.get(ValueLayout.JAVA_BYTE, sc + is + 4)).fma(FloatVector.fromArray(F, x, xb + l + 64), acc);
                    acc = sixBit(q4, d * w.get(ValueLayout.JAVA_BYTE, sc + is + 6)).fma(FloatVector.fromArray(F, x, xb + l + 96), acc);
                }
            }
        }
        return sum(acc);
    }

    private static FloatVector sixBit(ByteVector q, float scale) {
        return ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(scale);
    }

    /** block_q6_K: 128 bytes low 4 bits, 64 bytes high 2 bits, 16 int8 scales, f16 d. */
    static void dequantQ6K(MemorySegment w, long bo, float[] y, int yOff) {
        float d = Float.float16ToFloat(w.get(I16, bo + 208));
        long ql = bo;
        long qh = bo + 128;
        long sc = bo + 192;
        int out = yOff;
        for (int half = 0; half < 2; half++) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = b(w, qh + l);
                int q1 = ((b(w, ql + l) & 0xF) | ((h & 3) << 4)) - 32;
                int q2 = ((b(w, ql + l + 32) & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                int q3 = ((b(w, ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                int q4 = ((b(w, ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                y[out + l] = d * w.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                y[out + l + 32] = d * w.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                y[out + l + 64] = d * w.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                y[out + l + 96] = d * w.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
            }
            out += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }

    private static int b(MemorySegment w, long at) {
        return w.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    /** g[i] = silu(g[i]) * u[i] = g[i] / (1 + e^-g[i]) * u[i] over [from, to). */
    static void swiGlu(float[] g, float[] u, int from, int to) {
        int i = from;
        for (; i <= to - 8; i += 8) {
            FloatVector a = FloatVector.fromArray(F, g, i);
            a.div(a.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(F, u, i)).intoArray(g, i);
        }
        for (; i < to; i++) {
            float a = g[i];
            g[i] = a / (1f + (float) Math.exp(-a)) * u[i];
        }
    }

    /** Eight f16 values at {@code at} (native order, as the KV cache stores them) as floats. */
    static FloatVector f16x8(MemorySegment s, long at) {
        return f16ToFloats((IntVector) ShortVector.fromMemorySegment(S128, s, at, ByteOrder.nativeOrder())
                .convertShape(VectorOperators.S2I, I256, 0));
    }

    /**
     * f16 bit patterns, sign-extended into 8 int lanes, as floats. The Vector API has no f16
     * conversion: shifted left by 13, the magnitude bits land in an f32's place and the sign
     * extension puts the sign in bit 31; with bits 28-30 cleared, rescaling by 2^112 gives every
     * finite f16 exactly, subnormals included.
     */
    static FloatVector f16ToFloats(IntVector h) {
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
    }

    /** {@link #f16ToFloats} for 16 lanes. */
    static FloatVector f16ToFloatsWide(IntVector h) {
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
    }

    /** x[xOff..xOff+n) . the n f16 values at {@code at} (an attention score against a cached key). */
    static float dotF16Cache(float[] x, int xOff, MemorySegment s, long at, int n) {
        FloatVector acc = FloatVector.zero(F);
        int d = 0;
        for (; d <= n - 8; d += 8) {
            acc = f16x8(s, at + 2L * d).fma(FloatVector.fromArray(F, x, xOff + d), acc);
        }
        float r = sum(acc);
        for (; d < n; d++) {
            r += x[xOff + d] * Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT, at + 2L * d));
        }
        return r;
    }

    /** out[oOff..oOff+n) += p * the n f16 values at {@code at} (a cached value's share of an attention output). */
    static void addScaledF16Cache(float p, MemorySegment s, long at, float[] out, int oOff, int n) {
        FloatVector pv = FloatVector.broadcast(F, p);
        int d = 0;
        for (; d <= n - 8; d += 8) {
            f16x8(s, at + 2L * d).fma(pv, FloatVector.fromArray(F, out, oOff + d)).intoArray(out, oOff + d);
        }
        for (; d < n; d++) {
            out[oOff + d] += p * Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT, at + 2L * d));
        }
    }

    /** a[0..n) . b[bOff..bOff+n), both float arrays (rows dequantized once for a whole batch). */
    static float dotArrays(float[] a, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 16; i += 16) {
            acc0 = FloatVector.fromArray(F, a, i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, i + 8).fma(FloatVector.fromArray(F, b, bOff + i + 8), acc1);
        }
        float s = sum(acc0.add(acc1));
        for (; i < n; i++) {
            s += a[i] * b[bOff + i];
        }
        return s;
    }

    /**
     * out[2k + j] = rows[k] . x_j for four rows and two tokens: a tile of eight dot products, so
     * each vector of a token (read from L2 when a batch is large) meets four rows in L1, and each
     * vector of a row meets two tokens. One row against one token at a time was bound by the
     * token reads: widening those loads to 512 bits gained nothing.
     */
    static void dotTile4x2(float[][] rows, float[] x0, float[] x1, int n, float[] out) {
        float[] r0 = rows[0];
        float[] r1 = rows[1];
        float[] r2 = rows[2];
        float[] r3 = rows[3];
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        int i = 0;
        for (; i <= n - 8; i += 8) {
            FloatVector v0 = FloatVector.fromArray(F, x0, i);
            FloatVector v1 = FloatVector.fromArray(F, x1, i);
            FloatVector w = FloatVector.fromArray(F, r0, i);
            a00 = w.fma(v0, a00);
            a01 = w.fma(v1, a01);
            w = FloatVector.fromArray(F, r1, i);
            a10 = w.fma(v0, a10);
            a11 = w.fma(v1, a11);
            w = FloatVector.fromArray(F, r2, i);
            a20 = w.fma(v0, a20);
            a21 = w.fma(v1, a21);
            w = FloatVector.fromArray(F, r3, i);
            a30 = w.fma(v0, a30);
            a31 = w.fma(v1, a31);
        }
        out[0] = sum(a00) + tail(r0, x0, i, n);
        out[1] = sum(a01) + tail(r0, x1, i, n);
        out[2] = sum(a10) + tail(r1, x0, i, n);
        out[3] = sum(a11) + tail(r1, x1, i, n);
        out[4] = sum(a20) + tail(r2, x0, i, n);
        out[5] = sum(a21) + tail(r2, x1, i, n);
        out[6] = sum(a30) + tail(r3, x0, i, n);
        out[7] = sum(a31) + tail(r3, x1, i, n);
    }

    private static float tail(float[] a, float[] b, int from, int n) {
        float s = 0;
        for (int i = from; i < n; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** One whole row as floats (embedding lookup, and batches that reuse a row for many tokens). */
    static void dequantRow(GgmlType t, MemorySegment w, long off, float[] y, int cols) {
        switch (t) {
            case F32 -> MemorySegment.copy(w, F32, off, y, 0, cols);
            case F16 -> {
                for (int i = 0; i < cols; i++) {
                    y[i] = Float.float16ToFloat(w.get(I16, off + 2L * i));
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long bo = off + 34L * b;
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, bo)));
                    ByteVector q = ByteVector.fromMemorySegment(B256, w, bo + 2, ByteOrder.LITTLE_ENDIAN);
                    for (int p = 0; p < 4; p++) {
                        ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(y, 32 * b + 8 * p);
                    }
                }
            }
            case Q4_K -> {
                for (int b = 0; b < cols / 256; b++) {
                    dequantQ4K(w, off + 144L * b, y, 256 * b);
                }
            }
            case Q6_K -> {
                for (int b = 0; b < cols / 256; b++) {
                    dequantQ6K(w, off + 210L * b, y, 256 * b);
                }
            }
            default -> throw new IllegalArgumentException("the Java engine has no kernel for " + t);
        }
    }
}
