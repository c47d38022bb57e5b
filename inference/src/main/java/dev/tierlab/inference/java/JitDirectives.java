package dev.tierlab.inference.java;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Tells HotSpot's JIT compilers how to inline the kernels, so that their speed does not depend
 * on the order things happen to get compiled in:
 * <ul>
 * <li>every method of the kernel classes that takes or returns a Vector API value (a helper) is
 *     always inlined;
 * <li>every other method whose code uses the Vector API (a kernel) is never inlined into its
 *     caller, so each kernel is compiled on its own and its helpers sit one or two levels deep.
 * </ul>
 *
 * <p>Why the first: a helper that some caller leaves as a call while still interpreted or
 * C1-compiled can get C2-compiled on its own first; with its vector arguments boxed that code is
 * large, and C2 then declines to inline it anywhere ("already compiled into a big method"), so
 * every later kernel boxes a vector per block or per row. Decode swung between about 80, 57 and
 * 18 tokens/s on the same build, depending on which compile won. Why the second: the Vector API's
 * own methods nest about a dozen levels before reaching an intrinsic; a kernel inlined into, say,
 * the attention loop, plus two helper levels, passed C2's inlining depth (15), the intrinsic
 * became a plain call, and every f16 KV-cache read allocated.
 *
 * <p>The JDK's own vector code uses annotations for this that user code cannot use; a compiler
 * directive (the mechanism behind {@code jcmd Compiler.directives_add}), added once before any
 * kernel runs, does the same for tierlab in any JVM that hosts the engine. Which method is which
 * is read from the classes' bytecode, so a new kernel or helper is covered without a list.
 */
final class JitDirectives {

    /** The classes whose vector code the directive covers. */
    static final List<Class<?>> KERNEL_CLASSES = List.of(Kernels.class, GroupedQ4.class);

    private static final String PACKAGE_PATH = JitDirectives.class.getPackageName().replace('.', '/');
    private static final String VECTOR_PACKAGE = "jdk/incubator/vector/";
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

    /** The directive in HotSpot's compiler-directive JSON form: in our package, inline as {@link #inlining} says. */
    static String directive() throws IOException {
        String inline = inlining().stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(", "));
        return "[{ match: [\"" + PACKAGE_PATH + "/*.*\"], inline: [" + inline + "] }]";
    }

    /** "+pkg/Class.method" for each helper, "-pkg/Class.method" for each kernel, sorted. */
    static List<String> inlining() throws IOException {
        List<String> rules = new ArrayList<>();
        for (Class<?> c : KERNEL_CLASSES) {
            for (MethodModel m : parse(c).methods()) {
                String name = m.methodName().stringValue();
                String target = PACKAGE_PATH + "/" + c.getSimpleName() + "." + name;
                if (m.methodType().stringValue().contains("L" + VECTOR_PACKAGE)) {
                    rules.add("+" + target);
                } else if (usesVectors(m) && !name.equals("<clinit>")) {
                    rules.add("-" + target);
                }
            }
        }
        return rules.stream().distinct().sorted().toList();
    }

    /** Whether a method's code calls into the Vector API. */
    static boolean usesVectors(MethodModel m) {
        return m.code().map(code -> code.elementStream()
                .anyMatch(e -> e instanceof InvokeInstruction call && call.owner().asInternalName().startsWith(VECTOR_PACKAGE)))
                .orElse(false);
    }

    static ClassModel parse(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            if (in == null) {
                throw new IOException("no class file for " + c.getName());
            }
            return ClassFile.of().parse(in.readAllBytes());
        }
    }

    /** What the JVM lists as its compiler directives ({@code jcmd Compiler.directives_print}). */
    static String printed() throws JMException {
        return diagnosticCommand("compilerDirectivesPrint");
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
