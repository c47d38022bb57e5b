package dev.tierlab.inference.engine;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A file's pages in the OS page cache: how many are resident ({@code mincore(2)}), and eviction
 * that works for a model an engine has mapped.
 *
 * <p>Why {@link #drop} alone does not make a cold first token: llama.cpp maps the model with
 * {@code MAP_POPULATE} and advises {@code WILLNEED}, so loading reads the whole file back and the
 * first token finds it resident; pages still mapped also survive {@code POSIX_FADV_DONTNEED}.
 * {@link #evict} pages out the live mappings first ({@code madvise(MADV_PAGEOUT)}, Linux 5.4+), then
 * drops what is left, and measures the residency afterwards, so a caller can tell a cold start
 * from one that only looked cold.
 *
 * <p>Residency is read with {@code mincore} over a fresh read-only mapping of the file, which reports
 * the page cache's state without reading anything in. The kernel answers truthfully only for files
 * the process owns or may write (or with CAP_FOWNER); for others it reports every page resident,
 * which {@link Residency#reliable()} says.
 */
public final class PageCache {

    private static final int O_RDONLY = 0;
    private static final int POSIX_FADV_DONTNEED = 4;
    /** madvise advice: reclaim the range's pages now (Linux 5.4). */
    public static final int MADV_PAGEOUT = 21;
    private static final int EINVAL = 22;
    private static final int EPERM = 1;
    private static final int SC_PAGESIZE = 30;
    private static final MethodHandle OPEN;
    private static final MethodHandle FADVISE;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FDATASYNC;
    private static final MethodHandle MINCORE;
    private static final MethodHandle MADVISE;
    private static final MethodHandle GETEUID;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    /** The system page size (mincore reports one byte per page). */
    public static final long PAGE_SIZE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        OPEN = linker.downcallHandle(libc.find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        FADVISE = linker.downcallHandle(libc.find("posix_fadvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        FDATASYNC = linker.downcallHandle(libc.find("fdatasync").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        Linker.Option errno = Linker.Option.captureCallState("errno");
        MINCORE = linker.downcallHandle(libc.find("mincore").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS), errno);
        MADVISE = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), errno);
        GETEUID = linker.downcallHandle(libc.find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        try {
            MethodHandle sysconf = linker.downcallHandle(libc.find("sysconf").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
            PAGE_SIZE = (long) sysconf.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    private PageCache() {
    }

    /**
     * How much of a file the page cache holds: {@code resident} of {@code pages} pages.
     * {@code reliable} is false where the kernel would not tell (a file this process neither owns
     * nor may write, which mincore reports as fully resident); {@code note} then says why.
     */
    public record Residency(long pages, long resident, boolean reliable, String note) {
        /** Resident pages over all pages; 1 for an empty file (nothing to read). */
        public double fraction() {
            return pages == 0 ? 1.0 : (double) resident / pages;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f%% resident (%d of %d pages)%s", 100 * fraction(), resident, pages,
                    reliable ? "" : " [unreliable: " + note + "]");
        }
    }

    /**
     * What {@link #evict} did: the residency before and after, how many of the process's mappings
     * of the file it paged out, and {@code problem}, a sentence for the user when the file is not
     * cold afterwards (null when it is).
     */
    public record Eviction(Residency before, Residency after, int mappings, long mappedBytes, int pageoutErrno,
            int fadviseResult, String problem) {
        public boolean cold() {
            return problem == null;
        }
    }

    /**
     * Writes the file's dirty pages back (fdatasync: DONTNEED skips dirty pages, so a model written
     * moments ago would otherwise stay partly resident), then drops its pages with
     * posix_fadvise(POSIX_FADV_DONTNEED). Returns posix_fadvise's result: 0 when the kernel accepted
     * the advice. Pages mapped by a live mapping stay: see {@link #evict}.
     */
    public static int drop(Path file) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(file.toAbsolutePath().toString());
            int fd = (int) OPEN.invokeExact(path, O_RDONLY);
            if (fd < 0) {
                return -1;
            }
            try {
                int synced = (int) FDATASYNC.invokeExact(fd);
                return (int) FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("posix_fadvise failed for " + file, t);
        }
    }

    /** The fraction (0..1) of the file's pages in the page cache; see {@link #residency} for the details. */
    public static double residentFraction(Path file) {
        return residency(file).fraction();
    }

    /** mincore(2) over a fresh read-only mapping of the file: nothing is read in by asking. */
    public static Residency residency(Path file) {
        boolean reliable = mincoreTellsTheTruth(file);
        try (Arena a = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return new Residency(0, 0, true, null);
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, a);
            long pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
            MemorySegment vec = a.allocate(pages);
            MemorySegment state = a.allocate(CAPTURE);
            int rc = (int) MINCORE.invokeExact(state, map.address(), size, vec);
            if (rc != 0) {
                throw new IllegalStateException("mincore failed on " + file + ": errno " + (int) ERRNO.get(state, 0L));
            }
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vec.get(JAVA_BYTE, i) & 1;
            }
            return new Residency(pages, resident, reliable,
                    reliable ? null : "mincore reports every page of a file this process neither owns nor may write as resident");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + file + " to check its residency", e);
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("mincore failed on " + file, t);
        }
    }

    /** Whether the kernel will answer mincore truthfully for this file (Linux 5.0+: owner, writer or CAP_FOWNER). */
    private static boolean mincoreTellsTheTruth(Path file) {
        try {
            int euid = (int) GETEUID.invokeExact();
            if (euid == 0 || Files.isWritable(file)) {
                return true;
            }
            Object uid = Files.getAttribute(file, "unix:uid");
            return uid instanceof Integer u && u == euid;
        } catch (Throwable t) {
            return false;
        }
    }

    /** One mapping of a file in this process, from /proc/self/maps. */
    public record Mapping(long start, long end) {
        public long bytes() {
            return end - start;
        }
    }

    /** This process's live mappings of the file (matched by device and inode, as /proc/self/maps lists them). */
    public static List<Mapping> mappings(Path file) {
        try {
            long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            List<Mapping> out = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] f = line.trim().split("\\s+", 6);
                if (f.length < 5 || Long.parseLong(f[4]) != ino) {
                    continue;
                }
                String[] mm = f[3].split(":");
                if (Long.parseLong(mm[0], 16) != major || Long.parseLong(mm[1], 16) != minor) {
                    continue;
                }
                String[] range = f[0].split("-");
                out.add(new Mapping(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the mappings of " + file, e);
        }
    }

    /**
     * {@code madvise(MADV_PAGEOUT)} over a range of this process's address space; returns 0 or the
     * errno (EINVAL: the kernel predates Linux 5.4 or does not allow it here).
     */
    public static int pageOut(long address, long length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int rc = (int) MADVISE.invokeExact(state, address, length, MADV_PAGEOUT);
            return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("madvise(MADV_PAGEOUT) failed", t);
        }
    }

    /**
     * Makes the file cold even while an engine has it mapped: pages out every mapping of it in this
     * process (MADV_PAGEOUT), drops the rest of its pages (POSIX_FADV_DONTNEED), and checks with
     * mincore that they are gone. Call it after loading the model and creating the context, right
     * before the first token. {@link Eviction#problem()} says, for the user, when the file is still
     * more than {@code maxResidentFraction} resident afterwards, and why where it can tell
     * (MADV_PAGEOUT unsupported, refused, or another process mapping the file).
     */
    public static Eviction evict(Path file, double maxResidentFraction) {
        Residency before = residency(file);
        List<Mapping> maps = mappings(file);
        long bytes = 0;
        int errno = 0;
        for (Mapping m : maps) {
            int e = pageOut(m.start(), m.bytes());
            if (e != 0 && errno == 0) {
                errno = e;
            }
            bytes += m.bytes();
        }
        int fadvise = drop(file);
        Residency after = residency(file);
        String problem = null;
        if (!after.reliable()) {
            problem = "cannot tell whether %s is cold: %s".formatted(file, after.note());
        } else if (after.fraction() > maxResidentFraction) {
            String why;
            if (errno == EINVAL) {
                why = "this kernel does not support madvise(MADV_PAGEOUT) (Linux 5.4 or newer is needed), so the pages "
                        + "the engine maps stay";
            } else if (errno == EPERM) {
                why = "the kernel refused madvise(MADV_PAGEOUT) (EPERM)";
            } else if (errno != 0) {
                why = "madvise(MADV_PAGEOUT) failed with errno " + errno;
            } else if (fadvise != 0) {
                why = "posix_fadvise(DONTNEED) returned " + fadvise;
            } else {
                why = "the kernel kept them (another process may map the file, or pages are locked)";
            }
            problem = String.format(Locale.ROOT, "%s is still %.1f%% resident after eviction: %s; the first token is not cold",
                    file, 100 * after.fraction(), why);
        }
        return new Eviction(before, after, maps.size(), bytes, errno, fadvise, problem);
    }

    /** {@link #evict(Path, double)} with at most 5% of the file allowed to stay resident. */
    public static Eviction evict(Path file) {
        return evict(file, 0.05);
    }
}
