package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.run.worker.WorkerProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: mutated GGUF files through llama.cpp's own loader, in a worker JVM. Each file either
 * loads or fails with a one-line error; a file that crashes llama.cpp kills only its worker (recorded
 * with the signal), and a fresh worker takes the rest. Twice over: through llama.cpp alone ("raw",
 * the loader as it is) and through tierlab's load (its GGUF validation first). The Java-side
 * validator's own property test is elsewhere; this one is about what native code does.
 */
class NativeLoaderMutationTest {

    @TempDir
    Path dir;

    /** What happened to one file: "ok", "error: ...", or "crash: SIGNAL". */
    private final Map<String, String> outcomes = new LinkedHashMap<>();

    private static byte[] withLong(byte[] b, int offset, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, v);
        return c;
    }

    private static byte[] withInt(byte[] b, int offset, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, v);
        return c;
    }

    /** At least 20 mutations of a valid micro model: truncations, inflated counts, flipped bytes in the header and the data. */
    private List<Path> mutations() throws IOException {
        Path valid = BadGgufs.valid(BadGgufs.MICRO, dir.resolve("valid.gguf"));
        byte[] b = Files.readAllBytes(valid);
        long dataOffset;
        long tensors;
        try (GgufFile f = GgufFile.open(valid)) {
            dataOffset = f.dataOffset();
            tensors = f.tensors().size();
        }
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("valid", b);
        for (long len : new long[] {0, 3, 8, 23, 100, dataOffset / 3, dataOffset / 2, dataOffset - 1, dataOffset + 100, b.length - 1}) {
            m.put("truncated-" + len, java.util.Arrays.copyOf(b, (int) len));
        }
        m.put("version-99", withInt(b, 4, 99));
        m.put("tensor-count-huge", withLong(b, 8, Long.MAX_VALUE));
        m.put("tensor-count-plus-5", withLong(b, 8, tensors + 5));
        m.put("kv-count-2^40", withLong(b, 16, 1L << 40));
        m.put("kv-count-0", withLong(b, 16, 0));
        SplittableRandom rnd = new SplittableRandom(15);
        for (int i = 0; i < 10; i++) {
            byte[] c = b.clone();
            int at = 24 + rnd.nextInt((int) dataOffset - 24);
            int n = i < 6 ? 1 : 8;
            for (int k = 0; k < n && at + k < c.length; k++) {
                c[at + k] = (byte) (i < 6 ? c[at + k] ^ 0xFF : rnd.nextInt(256));
            }
            m.put("header-" + (n == 1 ? "flip" : "garbage") + "-at-" + at, c);
        }
        for (int i = 0; i < 3; i++) {
            byte[] c = b.clone();
            int at = (int) dataOffset + rnd.nextInt(b.length - (int) dataOffset);
            c[at] ^= (byte) 0xFF;
            m.put("data-flip-at-" + at, c);
        }
        List<Path> files = new ArrayList<>();
        for (var e : m.entrySet()) {
            files.add(Files.write(dir.resolve(e.getKey() + ".gguf"), e.getValue()));
        }
        return files;
    }

    /** Loads every file in worker JVMs, a fresh one after each crash; returns the number of workers used. */
    private int loadAll(List<Path> files, boolean raw) throws IOException, InterruptedException {
        List<Path> left = new ArrayList<>(files);
        int workers = 0;
        while (!left.isEmpty()) {
            workers++;
            try (WorkerProcess w = WorkerProcess.start(List.of("load"), dir.resolve("workers"), s -> { })) {
                for (Path f : left) {
                    w.send((raw ? "raw " : "checked ") + f);
                }
                w.closeInput();
                String pending = null;
                while (true) {
                    WorkerProcess.Event ev = w.next(120, TimeUnit.SECONDS);
                    if (ev == null) {
                        w.kill();
                        outcomes.put(key(pending, raw), "hang");
                        break;
                    }
                    if (ev.kind().equals("begin")) {
                        pending = ev.body().get("file").asText();
                    } else if (ev.kind().equals("result")) {
                        JsonNode r = ev.body();
                        outcomes.put(key(r.get("file").asText(), raw), r.get("ok").asBoolean() ? "ok" : "error: " + r.get("error").asText());
                        left.remove(Path.of(r.get("file").asText()));
                        pending = null;
                    } else if (ev.kind().equals("eof")) {
                        break;
                    }
                }
                WorkerProcess.Death d = w.death();
                if (pending != null) {
                    outcomes.putIfAbsent(key(pending, raw), "crash: " + d.describe());
                    left.remove(Path.of(pending));
                } else {
                    assertEquals(0, d.exitStatus(), "a worker with nothing pending ends cleanly: " + d);
                }
            }
        }
        return workers;
    }

    private static String key(String file, boolean raw) {
        return (raw ? "raw " : "checked ") + Path.of(file).getFileName();
    }

    @Test
    void mutatedGgufsEitherLoadOrFailInOneLineAndACrashKillsOnlyItsWorker() throws Exception {
        List<Path> files = mutations();
        assertTrue(files.size() >= 21, "at least 20 mutations and the valid file: " + files.size());
        int rawWorkers = loadAll(files, true);
        int checkedWorkers = loadAll(files, false);
        System.out.printf("native loader: %d files, raw %d workers, checked %d workers%n", files.size(), rawWorkers, checkedWorkers);
        outcomes.forEach((k, v) -> System.out.println("  " + k + " -> " + v));

        assertEquals(2 * files.size(), outcomes.size(), "every file has an outcome, both ways");
        long rawCrashes = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("raw ") && e.getValue().startsWith("crash")).count();
        // (with llama.cpp b4916, one header flip makes its loader abort: a duplicated metadata key)
        assertEquals(1 + rawCrashes, rawWorkers, "one fresh worker after each crash, and the files after it still loaded");
        assertEquals("ok", outcomes.get("raw valid.gguf"));
        assertEquals("ok", outcomes.get("checked valid.gguf"));
        for (var e : outcomes.entrySet()) {
            String v = e.getValue();
            assertTrue(v.equals("ok") || v.startsWith("crash: ") || v.startsWith("error: ") && !v.contains("\n") && v.length() > 12,
                    e.getKey() + ": a clean load, a one-line error, or a crash caught as a failed worker: " + v);
            assertFalse(v.equals("hang"), e.getKey() + " hung the loader");
        }
        for (var e : outcomes.entrySet()) {
            if (e.getKey().startsWith("checked ") && e.getValue().startsWith("error: ")) {
                assertTrue(e.getValue().contains(e.getKey().substring("checked ".length())), "tierlab's error names the file: " + e.getValue());
            }
        }
        assertTrue(outcomes.values().stream().filter(v -> v.startsWith("error: ")).count() >= 10, "most mutations are refused: " + outcomes);
        assertEquals(List.of(), outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("checked ") && e.getValue().startsWith("crash"))
                .map(Map.Entry::getKey).toList(), "tierlab's own load never lets a file crash llama.cpp");
        try (var s = Files.list(Path.of("").toAbsolutePath())) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList(), "no hs_err in the working directory");
        }
    }
}
