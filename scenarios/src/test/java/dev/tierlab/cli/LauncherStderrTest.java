package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher (scripts/lib.sh's tierlab_run_java, used by scripts/tierlab and so by the quickstart)
 * keeps the JVM's "Using incubator modules" note off stderr, and only that line: other JVM warnings,
 * the CLI's own errors and the exit code pass through.
 */
class LauncherStderrTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String NOTE = "WARNING: Using incubator modules: jdk.incubator.vector";

    @TempDir
    Path dir;

    record Result(int exit, String out, List<String> err) {
    }

    /** Runs TierlabCli with {@code jvmFlags} and {@code args}, through the launcher function or straight. */
    Result run(boolean throughLauncher, List<String> jvmFlags, String... args) throws IOException, InterruptedException {
        List<String> java = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"));
        java.addAll(jvmFlags);
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), TierlabCli.class.getName()));
        java.addAll(List.of(args));
        List<String> command = new ArrayList<>();
        if (throughLauncher) {
            command.addAll(List.of("bash", "-c", "source \"$1\"; shift; tierlab_run_java \"$@\"", "launcher",
                    ROOT.resolve("scripts/lib.sh").toString()));
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        command.addAll(java);
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        return new Result(p.exitValue(), Files.readString(out), Files.readAllLines(err));
    }

    @Test
    void theJvmPrintsTheNoteOnItsOwn() throws Exception {
        // the control: without the launcher the line is there, so the next test can fail
        Result r = run(false, List.of(), "--help");
        assertEquals(0, r.exit());
        assertTrue(r.err().contains(NOTE), r.err().toString());
    }

    @Test
    void helpThroughTheLauncherPrintsNothingOnStderr() throws Exception {
        Result r = run(true, List.of(), "--help");
        assertEquals(0, r.exit(), r.err().toString());
        assertEquals(List.of(), r.err());
        assertTrue(r.out().contains("Usage: tierlab"), r.out());
    }

    @Test
    void otherJvmWarningsAndErrorsAndTheExitCodePassThrough() throws Exception {
        Result r = run(true, List.of("--illegal-access=permit"), "bogusverb"); // removed in 17: the VM warns and carries on
        assertEquals(2, r.exit(), r.err().toString());
        assertFalse(r.err().contains(NOTE), r.err().toString());
        assertTrue(r.err().stream().anyMatch(l -> l.contains("warning") && l.contains("--illegal-access")), r.err().toString());
        assertTrue(r.err().stream().anyMatch(l -> l.startsWith("tierlab: Unmatched argument")), r.err().toString());
    }

    @Test
    void scriptsTierlabAndTheQuickstartGoThroughTheLauncher() throws IOException {
        String tierlab = Files.readString(ROOT.resolve("scripts/tierlab"));
        assertTrue(tierlab.contains("tierlab_run_java \"${TIERLAB_JVM_FLAGS[@]}\""), "scripts/tierlab runs java through tierlab_run_java");
        assertFalse(tierlab.contains("bin/java\""), "scripts/tierlab has no other way to java");
        String quickstart = Files.readString(ROOT.resolve("scripts/quickstart"));
        assertTrue(quickstart.contains("exec scripts/tierlab run"), "the quickstart runs through scripts/tierlab");
        assertFalse(quickstart.contains("bin/java"), "the quickstart has no other way to java");
    }
}
