package dev.tierlab.inference.java;

import dev.tierlab.inference.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Run in a JVM of its own by {@link KernelAllocationTest}: once C2 has compiled them, the hot
 * kernels allocate nothing. A vector that C2 boxes on the
 * heap (a helper it declined to inline, or a Vector API intrinsic it gave up on because a method
 * grew past its node budget) shows up as allocation long before anyone reads a benchmark, and
 * such a kernel ran 3 to 4 times slower. Not a timing test: each kernel runs in rounds until a
 * round allocates nothing, and fails only if that never happens within a generous deadline.
 *
 * <p>It runs the kernels the engine runs on this machine (the 512-bit forms on AVX-512, the
 * 256-bit ones elsewhere), in a fresh JVM: HotSpot's type profiles are per JVM, and other tests
 * that drive both widths of a kernel would leave profiles the engine never sees.
 */
final class KernelAllocationCheck {

    private static final long DEADLINE_NANOS = 60_000_000_000L;
    private static final int COLS = 896;
    private static final int ROWS = 64;

    private static volatile float sink;

    private KernelAllocationCheck() {
    }

    /** Prints each kernel that still allocates and exits 1 if there is one. */
    public static void main(String[] args) throws IOException {
        String notInstalled = JitDirectives.install();
        if (notInstalled != null) {
            System.out.println("the JIT directive was not installed: " + notInstalled);
            System.exit(2);
        }
        Map<String, Runnable> kernels = kernels();
        Map<String, Long> stillAllocating = new LinkedHashMap<>();
        for (Map.Entry<String, Runnable> k : kernels.entrySet()) {
            long bytes = allocationAfterWarmUp(k.getValue());
            if (bytes > 0) {
                stillAllocating.put(k.getKey(), bytes);
            }
        }
        System.out.println("bytes allocated per round after warm-up, by kernel: " + stillAllocating);
        System.exit(stillAllocating.isEmpty() ? 0 : 1);
    }

    private static Map<String, Runnable> kernels() throws IOException {
        float[] x = MatVecTest.gaussian(1, COLS, 1)[0];
        Q8Row q8 = Q8Row.of(x);
        GroupedQ4.Arranged arranged = GroupedQ4.Arranged.of(q8);
        MemorySegment q8Rows = KernelsTest.randomRows(GgmlType.Q8_0, COLS, ROWS, 2);
        Weight q4 = Weight.load("q4", KernelsTest.randomRows(GgmlType.Q4_0, COLS, ROWS, 3), GgmlType.Q4_0, ROWS, COLS, Arena.ofAuto());
        long q8RowBytes = GgmlType.Q8_0.byteSize(COLS);
        long q4RowBytes = q4.rowBytes();
        MemorySegment cache = Arena.ofAuto().allocate(2L * COLS * ROWS);
        float[][] tile = MatVecTest.gaussian(4, COLS, 4);
        float[] out = new float[COLS];
        float[] dots = new float[8];
        float[] batchRow = new float[q4.batchCols()];
        short[] codes = new short[COLS];
        float[] scales = new float[COLS / 32];

        Map<String, Runnable> k = new LinkedHashMap<>();
        boolean wide = Kernels.WIDE_VECTORS;
        k.put("q8_0 dot", () -> {
            float s = 0;
            for (int r = 0; r < ROWS; r++) {
                s += wide ? Kernels.dotQ8_0Wide(q8Rows, r * q8RowBytes, q8.codes(), q8.scales(), COLS / 32)
                        : Kernels.dotQ8_0(q8Rows, r * q8RowBytes, q8.codes(), q8.scales(), COLS / 32);
            }
            sink = s;
        });
        k.put("grouped q4_0 dot", () -> {
            float s = 0;
            for (int r = 0; r < ROWS; r++) {
                s += wide ? GroupedQ4.dotWide(q4.data(), r * q4RowBytes, arranged, COLS / 32)
                        : GroupedQ4.dotNarrow(q4.data(), r * q4RowBytes, arranged, COLS / 32);
            }
            sink = s;
        });
        k.put("q4_0 batch row", () -> {
            for (int r = 0; r < ROWS; r++) {
                q4.batchRow(r, batchRow);
            }
            sink = batchRow[0];
        });
        k.put("activations to q8_0", () -> {
            for (int r = 0; r < ROWS; r++) {
                Kernels.quantizeQ8(x, codes, scales);
            }
            sink = scales[0];
        });
        k.put("f16 KV cache dot and accumulate", () -> {
            float s = 0;
            for (int r = 0; r < ROWS; r++) {
                s += Kernels.dotF16Cache(x, 0, cache, 2L * COLS * r, COLS);
                Kernels.addScaledF16Cache(0.5f, cache, 2L * COLS * r, out, 0, COLS);
            }
            sink = s;
        });
        k.put("batch tile", () -> {
            for (int r = 0; r < ROWS; r++) {
                Kernels.dotTile4x2(tile, x, out, COLS, dots);
            }
            sink = dots[7];
        });
        return k;
    }

    /** Bytes the current thread allocates in one round, once rounds stop allocating or time runs out. */
    private static long allocationAfterWarmUp(Runnable round) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        long bytes;
        do {
            long before = threads.getCurrentThreadAllocatedBytes();
            round.run();
            bytes = threads.getCurrentThreadAllocatedBytes() - before;
        } while (bytes > 0 && System.nanoTime() - start < DEADLINE_NANOS);
        return bytes;
    }
}
