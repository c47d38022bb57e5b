package dev.tierlab.inference.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;

/**
 * The kernels, run in a fresh JVM as the engine runs them, stop allocating once compiled
 * ({@link KernelAllocationCheck}): no vector is boxed on the heap.
 */
class KernelAllocationTest {

    @Test
    void hotKernelsStopAllocatingOnceCompiled() throws IOException, InterruptedException {
        // Without 256-bit vectors (AVX2) the kernels' species run the Vector API's Java fallback.
        assumeTrue(IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256, "this CPU has no 256-bit vectors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), KernelAllocationCheck.class.getName()))
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "the check did not finish: " + output);
        assertEquals(0, p.exitValue(), output);
    }
}
