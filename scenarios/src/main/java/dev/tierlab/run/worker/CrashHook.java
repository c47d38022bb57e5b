package dev.tierlab.run.worker;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-only: makes a worker die the way native code kills a JVM, at a chosen repeat. Read only in a
 * worker, from the system property {@value #PROPERTY} (handed down by the supervisor):
 * {@code kind@N,...}, where the worker dies as it starts a repeat while the run directory holds
 * exactly N lines. Kinds: {@code kill} (SIGKILL, as the OOM killer), {@code segv} (a store through a
 * bad pointer in native code: the JVM writes hs_err and aborts), {@code abort} (libc abort(), as a
 * failed GGML_ASSERT), {@code hang} (never returns: a deadline overrun). The supervisor writes a failed
 * line for it, so N is passed once and the hook fires once.
 */
final class CrashHook {

    static final String PROPERTY = WorkerProcess.PROPERTY_PREFIX + "crash";

    private final Map<Integer, String> at = new LinkedHashMap<>();

    private CrashHook(String spec) {
        if (spec == null || spec.isBlank()) {
            return;
        }
        for (String part : spec.split(",")) {
            String[] kn = part.trim().split("@");
            if (kn.length != 2 || !java.util.Set.of("kill", "segv", "abort", "hang").contains(kn[0])) {
                throw new IllegalArgumentException(PROPERTY + ": '" + part + "' is not kill|segv|abort|hang@N");
            }
            at.put(Integer.parseInt(kn[1]), kn[0]);
        }
    }

    static CrashHook fromSystemProperty() {
        return new CrashHook(System.getProperty(PROPERTY));
    }

    /** Dies now if the run directory's line count is one this hook was told to die at. */
    void maybeCrash(int resultsSoFar) {
        String kind = at.get(resultsSoFar);
        if (kind == null) {
            return;
        }
        System.err.println("tierlab worker: test crash hook: " + kind + " at " + resultsSoFar + " results");
        System.err.flush();
        Linker linker = Linker.nativeLinker();
        try {
            switch (kind) {
                case "kill" -> {
                    MethodHandle raise = linker.downcallHandle(linker.defaultLookup().find("raise").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                    int ignored = (int) raise.invokeExact(9);
                }
                case "segv" -> {
                    MethodHandle memset = linker.downcallHandle(linker.defaultLookup().find("memset").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                    MemorySegment ignored = (MemorySegment) memset.invokeExact(MemorySegment.ofAddress(16), 0, 64L);
                }
                case "abort" -> {
                    MethodHandle abort = linker.downcallHandle(linker.defaultLookup().find("abort").orElseThrow(),
                            FunctionDescriptor.ofVoid());
                    abort.invokeExact();
                }
                default -> {
                    while (true) {
                        Thread.sleep(60_000);
                    }
                }
            }
        } catch (Throwable t) {
            throw new IllegalStateException("test crash hook " + kind + " did not crash: " + t, t);
        }
    }
}
