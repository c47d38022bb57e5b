package dev.tierlab.emulator.calibrate;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A short memory-bandwidth probe to run before every repeat: one thread reads a preallocated
 * off-heap buffer for a fixed time budget (default 20 ms, at most {@link #MAX_BUDGET_NANOS}) and
 * returns the bytes per second it got. Successive probes continue where the last one stopped, so
 * over a run the whole buffer is read and a probe does not re-read what the previous one left in
 * the caches.
 *
 * <p>One probe tells little; its value against the run's other probes tells whether the host's
 * memory bandwidth available to this machine dropped during the repeat that follows: keep the
 * values in a {@link SentinelSeries}.
 *
 * <p>Not thread-safe: one probe at a time. Create one per run (the allocation and the warm-up of
 * the read loop take about a second) and close it at the end.
 */
public final class Sentinel implements AutoCloseable {

    /** 256 MiB: more than the last-level cache of the machines this project runs on, as far as the VM shows it. */
    public static final long DEFAULT_BUFFER_BYTES = 256L << 20;
    public static final long DEFAULT_BUDGET_NANOS = 20_000_000L;
    /** The probe's contract: it never reads for longer than this. */
    public static final long MAX_BUDGET_NANOS = 50_000_000L;
    /** Reads between two clock checks: small enough that a probe overshoots its budget by well under a millisecond. */
    static final long CHUNK_BYTES = 1L << 20;

    /** One probe: {@code bytes} read in {@code nanos}. */
    public record Probe(long bytes, long nanos) {
        public double bytesPerSecond() {
            return nanos > 0 ? bytes * 1e9 / nanos : Double.NaN;
        }

        public double gigabytesPerSecond() {
            return bytesPerSecond() / 1e9;
        }
    }

    private final Arena arena;
    private final MemorySegment buffer;
    private final long budgetNanos;
    private long cursor;
    private long sink;

    /** A 256 MiB buffer and a 20 ms budget. */
    public Sentinel() {
        this(DEFAULT_BUFFER_BYTES, DEFAULT_BUDGET_NANOS);
    }

    /**
     * @param bufferBytes off-heap buffer read round-robin, rounded down to whole 1 MiB chunks (at least one)
     * @param budgetNanos how long one probe reads, 1 ms .. 50 ms
     */
    public Sentinel(long bufferBytes, long budgetNanos) {
        if (budgetNanos < 1_000_000L || budgetNanos > MAX_BUDGET_NANOS) {
            throw new IllegalArgumentException("sentinel budget must be 1 ms .. 50 ms, got " + budgetNanos + " ns");
        }
        long size = Math.max(CHUNK_BYTES, bufferBytes / CHUNK_BYTES * CHUNK_BYTES);
        this.budgetNanos = budgetNanos;
        this.arena = Arena.ofShared();
        this.buffer = arena.allocate(size, 4096);
        buffer.fill((byte) 1); // every page backed now, not during a probe
        // Compile the read loop before the first real probe: an interpreted probe reads ~100x slower.
        for (int i = 0; i < 20_000; i++) {
            sink += MemoryBandwidth.sum(buffer.asSlice(0, 4096));
        }
        for (int i = 0; i < 3; i++) {
            probe();
        }
    }

    /** Reads for the budget and returns GB/s (10^9 bytes per second). */
    public double gigabytesPerSecond() {
        return probe().gigabytesPerSecond();
    }

    /** Reads 1 MiB chunks, round-robin over the buffer, until the budget is spent. */
    public Probe probe() {
        long size = buffer.byteSize();
        long bytes = 0;
        long start = System.nanoTime();
        long now = start;
        long end = start + budgetNanos;
        do {
            sink += MemoryBandwidth.sum(buffer.asSlice(cursor, CHUNK_BYTES));
            cursor = (cursor + CHUNK_BYTES) % size;
            bytes += CHUNK_BYTES;
            now = System.nanoTime();
        } while (now < end);
        return new Probe(bytes, now - start);
    }

    public long bufferBytes() {
        return buffer.byteSize();
    }

    public long budgetNanos() {
        return budgetNanos;
    }

    @Override
    public void close() {
        if (sink == 42) {
            System.out.print(""); // keeps the sums alive
        }
        arena.close();
    }
}
