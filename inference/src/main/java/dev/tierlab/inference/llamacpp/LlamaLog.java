package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Routes llama.cpp and ggml log lines into the {@code dev.tierlab.llama} System.Logger, so they
 * are quiet unless that logger is enabled (TIERLAB_LLAMA_LOG=debug|info|warn on the CLI).
 * Level 5 (GGML_LOG_LEVEL_CONT) continues the previous line; lines are joined until a newline.
 */
final class LlamaLog {

    private static final System.Logger LOG = System.getLogger("dev.tierlab.llama");
    /** Held so the level set here is not lost when java.util.logging drops an unreferenced logger. */
    private static final java.util.logging.Logger JUL = java.util.logging.Logger.getLogger("dev.tierlab.llama");

    static {
        String wanted = System.getenv().getOrDefault("TIERLAB_LLAMA_LOG", "error");
        JUL.setLevel(switch (wanted.toLowerCase(java.util.Locale.ROOT)) {
            case "debug" -> java.util.logging.Level.ALL;
            case "info" -> java.util.logging.Level.INFO;
            case "warn", "warning" -> java.util.logging.Level.WARNING;
            default -> java.util.logging.Level.SEVERE;
        });
    }
    private static final StringBuilder pending = new StringBuilder();
    private static int pendingLevel = 2;

    private LlamaLog() {
    }

    static MemorySegment upcallStub() {
        try {
            var target = MethodHandles.lookup().findStatic(LlamaLog.class, "onLog",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            return Linker.nativeLinker().upcallStub(target, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS),
                    Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Must never throw: an exception escaping an upcall kills the JVM. */
    @SuppressWarnings("unused")
    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        try {
            String s = text.reinterpret(1 << 16).getString(0);
            synchronized (pending) {
                if (level != 5) {
                    pendingLevel = level;
                }
                pending.append(s);
                int nl;
                while ((nl = pending.indexOf("\n")) >= 0) {
                    String line = pending.substring(0, nl);
                    pending.delete(0, nl + 1);
                    if (!line.isBlank()) {
                        LOG.log(toLevel(pendingLevel), line);
                    }
                }
            }
        } catch (Throwable ignored) {
            // Dropping a log line is the only safe failure inside an upcall.
        }
    }

    private static System.Logger.Level toLevel(int ggmlLevel) {
        return switch (ggmlLevel) {
            case 1 -> System.Logger.Level.DEBUG;
            case 3 -> System.Logger.Level.WARNING;
            case 4 -> System.Logger.Level.ERROR;
            default -> System.Logger.Level.INFO;
        };
    }
}
