package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The inlining directive names the kernels' vector helpers, covers every class that has such
 * helpers, and the running JVM takes it.
 */
class JitDirectivesTest {

    private static final String PREFIX = "+dev/tierlab/inference/java/";

    @Test
    void directiveInlinesVectorHelpersAndNotTheKernelsThemselves() {
        String directive = JitDirectives.directive();
        for (String helper : List.of("Kernels.sum", "Kernels.sum8", "Kernels.f16ToFloats", "Kernels.q8WideBlock",
                "GroupedQ4.wideGroup", "GroupedQ4.narrowSlice")) {
            assertTrue(directive.contains("\"" + PREFIX + helper + "\""), helper + " in " + directive);
        }
        // The kernels take segments and arrays and return a float: the callers keep them as calls.
        assertFalse(directive.contains("dotQ8_0Wide"), directive);
        assertFalse(directive.contains("GroupedQ4.dotWide"), directive);
    }

    @Test
    void everyClassWithVectorHelpersIsCovered() throws IOException, URISyntaxException {
        Path dir = Path.of(JitDirectives.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(JitDirectives.class.getPackageName().replace('.', '/'));
        List<String> withHelpers;
        try (Stream<Path> files = Files.list(dir)) {
            withHelpers = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> load(n.substring(0, n.length() - ".class".length())))
                    .filter(c -> Arrays.stream(c.getDeclaredMethods()).anyMatch(JitDirectivesTest::touchesVectors))
                    .map(Class::getSimpleName).sorted().toList();
        }
        List<String> covered = JitDirectives.KERNEL_CLASSES.stream().map(Class::getSimpleName).sorted().toList();
        assertEquals(covered, withHelpers);
    }

    @Test
    void theJvmTakesTheDirective() throws Exception {
        assertNull(JitDirectives.install());
        assertNull(JitDirectives.install(), "a second call is a no-op");
        String printed = JitDirectives.printed();
        assertTrue(printed.contains("matching: dev/tierlab/inference/java/*.*"), printed);
        assertTrue(printed.contains(PREFIX + "Kernels.sum8"), printed);
        assertEquals(1, printed.split("matching: dev/tierlab/inference/java/", -1).length - 1, "added once");
    }

    private static boolean touchesVectors(Method m) {
        return Stream.concat(Stream.of(m.getReturnType()), Arrays.stream(m.getParameterTypes()))
                .anyMatch(t -> t.getPackageName().equals("jdk.incubator.vector"));
    }

    private static Class<?> load(String simpleName) {
        try {
            return Class.forName(JitDirectives.class.getPackageName() + "." + simpleName);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
