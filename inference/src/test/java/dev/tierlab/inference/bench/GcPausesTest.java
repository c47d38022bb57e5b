package dev.tierlab.inference.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcPausesTest {

    @Test
    void aForcedCollectionIsOnePauseWithItsDuration() {
        try (GcPauses gc = new GcPauses()) {
            gc.start();
            System.gc();
            GcPauses.Summary s = gc.stop();
            assertTrue(s.complete(), "the notification arrived: " + s);
            assertTrue(s.pauses() >= 1, s.toString());
            assertTrue(s.maxMillis() >= 0 && s.maxMillis() <= s.totalMillis(), s.toString());
            assertEquals(0, s.concurrentCycles(), "G1, Serial and Parallel have no concurrent-cycle collector: " + s);

            // a longer collection: a heap full of live objects takes more than a millisecond to compact
            Object[] live = new Object[400_000];
            for (int i = 0; i < live.length; i++) {
                live[i] = new long[8];
            }
            gc.start();
            System.gc();
            System.gc();
            GcPauses.Summary two = gc.stop();
            assertTrue(two.pauses() >= 2, two.toString());
            assertTrue(two.maxMillis() >= 1, "compacting 400k live objects took under 1 ms? " + two);
            assertTrue(two.totalMillis() >= two.maxMillis(), two.toString());
            assertEquals(400_000, live.length);
        }
    }

    @Test
    void collectionsBeforeStartAreNotCountedEvenWhenTheirNotificationArrivesLate() throws InterruptedException {
        Object[] live = new Object[200_000];
        for (int i = 0; i < live.length; i++) {
            live[i] = new long[8]; // a collection of a few milliseconds
        }
        int clean = 0;
        try (GcPauses gc = new GcPauses()) {
            for (int i = 0; i < 10; i++) {
                System.gc(); // its notification is delivered later, on the JVM's notification thread
                long before = collections();
                gc.start();
                Thread.sleep(50); // lets that notification arrive inside the window
                GcPauses.Summary s = gc.stop();
                long inWindow = collections() - before;
                if (inWindow == 0) { // the test JVM's own threads may cause a real collection now and then
                    assertEquals(GcPauses.Summary.NONE, s, "round " + i);
                    clean++;
                } else {
                    assertEquals(inWindow, s.pauses(), "round " + i + ": " + s);
                }
            }
        }
        assertTrue(clean >= 3, "only " + clean + " of 10 windows without a collection");
        assertEquals(200_000, live.length);
    }

    @Test
    void stopWithoutStartIsAnError() {
        try (GcPauses gc = new GcPauses()) {
            assertThrows(IllegalStateException.class, gc::stop);
            gc.start();
            gc.stop();
            assertThrows(IllegalStateException.class, gc::stop);
        }
    }

    @Test
    void zgcCyclesAreNotPausesButItsPausesAre() throws IOException, InterruptedException {
        assertTrue(GcPauses.isConcurrentCycles("ZGC Major Cycles"));
        assertTrue(GcPauses.isConcurrentCycles("Shenandoah Cycles"));
        assertFalse(GcPauses.isConcurrentCycles("ZGC Major Pauses"));
        assertFalse(GcPauses.isConcurrentCycles("G1 Concurrent GC"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-XX:+UseZGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ForcedGc.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        // "pauses cycles complete"
        String[] f = out.lines().reduce((a, b) -> b).orElseThrow().split(" ");
        assertTrue(Integer.parseInt(f[0]) >= 2, "ZGC pauses at least twice per cycle: " + out);
        assertTrue(Integer.parseInt(f[1]) >= 1, "one concurrent cycle: " + out);
        assertEquals("true", f[2], out);
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> b.getCollectionCount()).sum();
    }

    /** Run in a child JVM with another collector: prints "pauses cycles complete" for one System.gc(). */
    public static final class ForcedGc {
        public static void main(String[] args) {
            try (GcPauses gc = new GcPauses(2000)) {
                gc.start();
                System.gc();
                GcPauses.Summary s = gc.stop();
                System.out.println(ManagementFactory.getRuntimeMXBean().getInputArguments());
                System.out.println(s.pauses() + " " + s.concurrentCycles() + " " + s.complete());
            }
        }
    }
}
