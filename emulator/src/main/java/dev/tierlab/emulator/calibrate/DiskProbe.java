package dev.tierlab.emulator.calibrate;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Local-disk read bandwidth and 4 KiB read latency with O_DIRECT (no page cache), so an {@code ssd}
 * tier can be calibrated from the real disk: its histogram loads as an empirical latency.
 */
public final class DiskProbe {

    /** Latencies in nanoseconds. */
    public record Result(Path file, double sequentialReadBytesPerSecond, Histogram randomRead4kNanos) {
    }

    private DiskProbe() {
    }

    public static Result measure(Path dir, long fileBytes, long latencyBudgetNanos) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("tierlab-disk-probe.bin");
        try {
            int block = 1 << 20;
            ByteBuffer data = ByteBuffer.allocateDirect(block);
            new SplittableRandom(1).ints(block / 4).forEach(data::putInt);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long off = 0; off < fileBytes; off += block) {
                    data.clear();
                    ch.write(data, off);
                }
                ch.force(true);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
                int align = (int) Files.getFileStore(file).getBlockSize();
                ByteBuffer big = ByteBuffer.allocateDirect(block + align).alignedSlice(align);
                long t0 = System.nanoTime();
                for (long off = 0; off < fileBytes; off += block) {
                    big.clear();
                    ch.read(big, off);
                }
                double seqBw = fileBytes / ((System.nanoTime() - t0) / 1e9);

                ByteBuffer small = ByteBuffer.allocateDirect(4096 + align).alignedSlice(align).limit(4096);
                Histogram h = new Histogram(3);
                SplittableRandom rnd = new SplittableRandom(7);
                long blocks = fileBytes / 4096;
                long end = System.nanoTime() + latencyBudgetNanos;
                while (System.nanoTime() < end) {
                    small.clear().limit(4096);
                    long off = rnd.nextLong(blocks) * 4096;
                    long s = System.nanoTime();
                    ch.read(small, off);
                    h.recordValue(System.nanoTime() - s);
                }
                return new Result(file, seqBw, h);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
