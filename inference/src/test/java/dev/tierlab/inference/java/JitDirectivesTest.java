package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The inlining directive inlines the kernels' vector helpers and keeps the kernels themselves
 * out of their callers, covers every class with vector code, and the running JVM takes it.
 */
class JitDirectivesTest {

    private static final String PACKAGE = "dev/tierlab/inference/java/";

    @Test
    void helpersAreInlinedAndKernelsAreNot() throws IOException {
        List<String> rules = JitDirectives.inlining();
        for (String helper : List.of("Kernels.sum", "Kernels.sumWide", "Kernels.f16ToFloats", "Kernels.f16ToFloatsWide", "Kernels.f16x8", "Kernels.q8WideBlock",
                "GroupedQ4.wideGroup", "GroupedQ4.narrowSlice")) {
            assertTrue(rules.contains("+" + PACKAGE + helper), helper + " in " + rules);
        }
        for (String kernel : List.of("Kernels.dotQ8_0Wide", "Kernels.dotF16Cache", "Kernels.dotTile4x2", "GroupedQ4.dotWide",
                "GroupedQ4.dequantGroupWide")) {
            assertTrue(rules.contains("-" + PACKAGE + kernel), kernel + " in " + rules);
        }
        // Scalar helpers (a block's f16 scale, a group's size) stay to C2's own judgement.
        assertFalse(rules.stream().anyMatch(r -> r.endsWith("Kernels.f16") || r.endsWith("GroupedQ4.groupSize")), rules.toString());
        assertFalse(rules.stream().anyMatch(r -> r.contains("<clinit>")), rules.toString());
        assertTrue(JitDirectives.directive().startsWith("[{ match: [\"" + PACKAGE + "*.*\"], inline: [\""), JitDirectives.directive());
    }

    @Test
    void everyClassWithVectorCodeIsCovered() throws IOException, URISyntaxException {
        Path dir = Path.of(JitDirectives.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve(PACKAGE);
        List<String> withVectorCode = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                ClassModel c = ClassFile.of().parse(f);
                if (c.methods().stream().anyMatch(m -> !m.methodName().equalsString("<clinit>") && JitDirectives.usesVectors(m))) {
                    withVectorCode.add(c.thisClass().asInternalName().substring(PACKAGE.length()));
                }
            }
        }
        assertEquals(JitDirectives.KERNEL_CLASSES.stream().map(Class::getSimpleName).sorted().toList(), withVectorCode);
    }

    @Test
    void theJvmTakesTheDirective() throws Exception {
        assertNull(JitDirectives.install());
        assertNull(JitDirectives.install(), "a second call is a no-op");
        String printed = JitDirectives.printed();
        assertTrue(printed.contains("matching: " + PACKAGE + "*.*"), printed);
        assertTrue(printed.contains("+" + PACKAGE + "Kernels.sumWide"), printed);
        assertTrue(printed.contains("-" + PACKAGE + "GroupedQ4.dotWide"), printed);
        assertEquals(1, printed.split("matching: " + PACKAGE, -1).length - 1, "added once");
    }
}
