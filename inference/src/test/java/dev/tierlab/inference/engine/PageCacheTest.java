package dev.tierlab.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real files, real mincore: pages are checked absent or present, not just the advice's return code. */
class PageCacheTest {

    static final long SIZE = 48L << 20;
    static Path dir;
    static Path file;

    @BeforeAll
    static void writeAFileOnDisk() throws IOException {
        // under target/, not /tmp, which may be a tmpfs whose pages cannot be evicted
        Files.createDirectories(Path.of("target"));
        dir = Files.createTempDirectory(Path.of("target"), "pagecache");
        file = dir.resolve("blob.bin");
        SplittableRandom rnd = new SplittableRandom(7);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long off = 0; off < SIZE; off += buf.capacity()) {
                buf.clear();
                while (buf.hasRemaining()) {
                    buf.putLong(rnd.nextLong());
                }
                buf.flip();
                ch.write(buf);
            }
            ch.force(true); // dirty pages cannot be dropped
        }
    }

    @AfterAll
    static void removeIt() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    private static long touchEveryPage(MemorySegment map) {
        long sum = 0;
        for (long off = 0; off < map.byteSize(); off += PageCache.PAGE_SIZE) {
            sum += map.get(ValueLayout.JAVA_BYTE, off);
        }
        return sum;
    }

    @Test
    void droppedPagesAreAbsentAndReadPagesPresent() throws IOException {
        assertEquals(0, PageCache.drop(file));
        PageCache.Residency cold = PageCache.residency(file);
        assertTrue(cold.reliable(), cold.toString());
        assertEquals(SIZE / PageCache.PAGE_SIZE, cold.pages());
        assertTrue(cold.fraction() < 0.05, "after DONTNEED on an unmapped, synced file: " + cold);

        Files.readAllBytes(file);
        PageCache.Residency warm = PageCache.residency(file);
        assertTrue(warm.fraction() > 0.95, "after reading it all: " + warm);
        assertEquals(warm.fraction(), PageCache.residentFraction(file), 0.01);
    }

    @Test
    void aMappedFileSurvivesDontneedButNotEviction() throws IOException {
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, arena);
            long sum = touchEveryPage(map); // what llama.cpp's MAP_POPULATE does at load
            assertTrue(PageCache.residentFraction(file) > 0.95);
            assertEquals(1, PageCache.mappings(file).size());
            assertEquals(SIZE, PageCache.mappings(file).getFirst().bytes());

            // the old cold start: the advice is accepted, and the pages stay
            assertEquals(0, PageCache.drop(file));
            assertTrue(PageCache.residentFraction(file) > 0.9, "DONTNEED does not drop mapped pages");

            PageCache.Eviction e = PageCache.evict(file);
            assumeTrue(e.pageoutErrno() != 22, "this kernel refuses MADV_PAGEOUT: " + e.problem());
            assertEquals(1, e.mappings());
            assertEquals(SIZE, e.mappedBytes());
            assertTrue(e.before().fraction() > 0.9, e.before().toString());
            assertTrue(e.after().fraction() < 0.05, "after MADV_PAGEOUT + DONTNEED: " + e.after() + "; " + e.problem());
            assertTrue(e.cold());
            assertNull(e.problem());

            assertEquals(sum, touchEveryPage(map), "the same bytes come back from the disk");
            assertTrue(PageCache.residentFraction(file) > 0.95, "touching the mapping reads it back");
        }
        assertEquals(0, PageCache.mappings(file).size(), "unmapped with the arena");
    }

    @Test
    void aFileThatStaysResidentIsReportedAsAProblem() throws IOException {
        Files.readAllBytes(file);
        // nothing can be this cold: the check itself must speak up
        PageCache.Eviction e = PageCache.evict(file, -1);
        assertTrue(e.problem() != null && e.problem().contains("still") && e.problem().contains("not cold"), e.problem());
        assertEquals(0, e.mappings());
    }
}
