package dev.tierlab.inference.java;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Tells HotSpot's JIT compilers to always inline the kernels' vector helpers: every method of
 * the kernel classes that takes or returns a Vector API value.
 *
 * <p>Without this, speed depends on a race. A helper that some caller leaves as a call while it
 * is still interpreted or C1-compiled can get C2-compiled on its own first; with its vector
 * arguments boxed, that code is large, and C2 then declines to inline it anywhere ("already
 * compiled into a big method"), so every later kernel boxes a vector per block or per row.
 * Which compile wins changed from run to run, and decode swung between about 80, 57 and 18
 * tokens/s on the same build. The JDK's own vector code avoids this with an annotation user code
 * cannot use; a compiler directive (the mechanism behind {@code jcmd Compiler.directives_add}),
 * added once before any kernel runs, does the same for tierlab in any JVM that hosts the engine.
 */
final class JitDirectives {

    /** The classes whose vector-valued helpers the kernels call per block or per row. */
    static final List<Class<?>> KERNEL_CLASSES = List.of(Kernels.class, GroupedQ4.class);

    private static final String PACKAGE_PATH = JitDirectives.class.getPackageName().replace('.', '/');
    private static final ObjectName DIAGNOSTIC_COMMANDS = objectName("com.sun.management:type=DiagnosticCommand");

    private static volatile String installed;

    private JitDirectives() {
    }

    /**
     * Adds the directive once per JVM. Returns null when it is in place, or why it could not be
     * added (the engine still runs, only slower at times, so callers warn rather than fail).
     */
    static synchronized String install() {
        if (installed != null) {
            return installed.isEmpty() ? null : installed;
        }
        String failure = null;
        Path file = null;
        try {
            file = Files.createTempFile("tierlab-jit", ".json");
            Files.writeString(file, directive());
            String reply = diagnosticCommand("compilerDirectivesAdd", file.toString());
            if (!reply.contains("added")) {
                failure = "the JVM answered: " + reply.strip();
            }
        } catch (IOException | JMException | RuntimeException e) {
            failure = e.toString();
        } finally {
            deleteQuietly(file);
        }
        installed = failure == null ? "" : failure;
        return failure;
    }

    /** The directive in HotSpot's compiler-directive JSON form: match our package, inline the helpers. */
    static String directive() {
        String inline = vectorHelpers().map(m -> "\"+" + PACKAGE_PATH + "/" + m.getDeclaringClass().getSimpleName() + "." + m.getName() + "\"")
                .distinct().sorted().reduce((a, b) -> a + ", " + b).orElseThrow();
        return "[{ match: [\"" + PACKAGE_PATH + "/*.*\"], inline: [" + inline + "] }]";
    }

    static Stream<Method> vectorHelpers() {
        return KERNEL_CLASSES.stream().flatMap(c -> Arrays.stream(c.getDeclaredMethods())).filter(JitDirectives::touchesVectors);
    }

    /** What the JVM lists as its compiler directives ({@code jcmd Compiler.directives_print}). */
    static String printed() throws JMException {
        return diagnosticCommand("compilerDirectivesPrint");
    }

    private static boolean touchesVectors(Method m) {
        return isVector(m.getReturnType()) || Arrays.stream(m.getParameterTypes()).anyMatch(JitDirectives::isVector);
    }

    private static boolean isVector(Class<?> type) {
        return type.getPackageName().equals("jdk.incubator.vector");
    }

    private static String diagnosticCommand(String operation, String... args) throws JMException {
        Object reply = ManagementFactory.getPlatformMBeanServer().invoke(DIAGNOSTIC_COMMANDS, operation,
                new Object[] {args}, new String[] {String[].class.getName()});
        return String.valueOf(reply);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stray temp file is harmless
            }
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (JMException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
