package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/device-check off the accelerator machine: it gets as far as it can without a GPU and
 * stops there with one line on stderr and exit 2 (issue 18).
 */
class DeviceCheckScriptTest {

    @TempDir
    Path dir;

    record Run(int exit, List<String> errLines) {
    }

    private Run run(Path bundle) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("../scripts/device-check").toString());
        pb.environment().put("OUT", dir.resolve("out").toString());
        pb.environment().put("TMPDIR", dir.toString());
        pb.environment().put("TIERLAB_DEVICE_BUNDLE", bundle.toString());
        pb.environment().remove("LD_LIBRARY_PATH");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "device-check finished");
        assertEquals(0, out.length, "nothing on stdout");
        return new Run(p.exitValue(), err.strip().lines().toList());
    }

    @Test
    void aBundleWhoseRuntimeDoesNotRunIsNamedInOneLine() throws Exception {
        Run r = run(dir.resolve("no-bundle"));
        assertEquals(2, r.exit());
        assertEquals(1, r.errLines().size(), r.errLines().toString());
        assertTrue(r.errLines().getFirst().startsWith("device-check: the bundle's Java runtime (") && r.errLines().getFirst().contains("make-device-bundle"),
                r.errLines().getFirst());
    }

    @Test
    void withAWorkingBundleItStopsAtTheMissingDriverInOneLine() throws Exception {
        boolean driver;
        try {
            SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
            driver = true;
        } catch (IllegalArgumentException e) {
            driver = false;
        }
        assumeTrue(!driver, "this machine has a CUDA driver: device-check would go on to the GPU");
        Path bundle = Files.createDirectories(dir.resolve("bundle/runtime/bin"));
        Files.createSymbolicLink(bundle.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Files.writeString(dir.resolve("bundle/tierlab.jar"), "");
        Run r = run(dir.resolve("bundle"));
        assertEquals(2, r.exit());
        assertEquals(1, r.errLines().size(), r.errLines().toString());
        assertTrue(r.errLines().getFirst().startsWith("device-check: no CUDA driver (libcuda.so.1) found: looked in the ld.so cache, LD_LIBRARY_PATH"),
                r.errLines().getFirst());
    }
}
