package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: no data lost on a full disk. The run's JVM gets a file-size limit (RLIMIT_FSIZE, set
 * with the shell's ulimit -f: no privileges needed, so it works in CI as on a laptop). The JVM ignores
 * SIGXFSZ, so a write past the limit fails with EFBIG exactly where a full disk fails with ENOSPC: in
 * the middle of writing results.jsonl once it has grown past a few lines. The run must stop with one
 * line (exit 1), keep every repeat it finished in a readable file, and resume.
 */
class FullDiskTest {

    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsStopsTheRunWithOneLineAndEveryFinishedRepeatResumes() throws Exception {
        Path sc = dir.resolve("full.yaml");
        Files.writeString(sc, ScenarioRunTest.scenarioText("full", "inject", "1x, 0.5x", 3, 4, "16"));
        // the model is synthesized beforehand (a short run of the same model): its file is larger than the limit
        Path warm = dir.resolve("warm.yaml");
        Files.writeString(warm, ScenarioRunTest.scenarioText("warm", "trace", "1x", 1, 1, "4"));
        assertEquals(0, CliTest.run("run", warm.toString(), "--out", dir.resolve("warm").toString(), "--no-report", "--in-process").exit());
        Path run = dir.resolve("run");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> !a.startsWith("-agentlib")).toList());
        cmd.addAll(List.of("-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), TierlabCli.class.getName(), "run", sc.toString(),
                "--out", run.toString(), "--no-report"));
        // 12 KiB: env.json (about 4 KiB) fits, results.jsonl outgrows it after a few lines
        Process p = new ProcessBuilder(withShell(cmd))
                .redirectOutput(dir.resolve("out.log").toFile()).redirectError(dir.resolve("err.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the run ended");
        String err = Files.readString(dir.resolve("err.log"));
        assertEquals(1, p.exitValue(), err);
        List<String> tierlabLines = err.lines().filter(l -> l.startsWith("tierlab: ") && !l.startsWith("tierlab: doctor")).toList();
        assertEquals(1, tierlabLines.size(), "one line says what failed: " + err);
        String line = tierlabLines.getFirst();
        assertTrue(line.contains("cannot write") && line.contains("results.jsonl") && line.contains("File too large")
                && line.contains("--resume " + run), line);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);

        List<String> kept = Files.readAllLines(run.resolve("results.jsonl"));
        assertTrue(kept.size() >= 2 && kept.size() < 12, "stopped mid-run with " + kept.size() + " of 12 lines");
        ObjectMapper json = new ObjectMapper();
        for (String l : kept) {
            assertTrue(json.readTree(l).has("measured_step_ms"), "every kept line is whole: " + l);
        }
        try (var s = Files.list(run)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().endsWith(".partial")).toList(), "no half-written file left");
        }
        assertTrue(line.contains("its " + kept.size() + " finished repeats are kept"), line);

        CliTest.Result resumed = CliTest.run("run", sc.toString(), "--resume", run.toString(), "--no-report");
        assertEquals(0, resumed.exit(), resumed.err());
        List<String> after = Files.readAllLines(run.resolve("results.jsonl"));
        assertEquals(kept, after.subList(0, kept.size()), "the repeats finished before the failure are kept as they were");
        assertTrue(after.size() >= 12, "the resumed run finished the rest: " + after.size());
    }

    /** The real thing where this machine allows it (root, mount permitted): the run directory on a tiny tmpfs, ENOSPC. */
    @Test
    void aFullTmpfsStopsTheRunWithOneLineAndKeepsEveryFinishedRepeat() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", mnt.toString()).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(m.waitFor(30, TimeUnit.SECONDS) && m.exitValue() == 0,
                "mounting a tmpfs needs root and a permissive container; the ulimit test covers the rest");
        try {
            Path sc = dir.resolve("tmpfs.yaml");
            Files.writeString(sc, ScenarioRunTest.scenarioText("tmpfs", "inject", "1x, 0.5x", 3, 4, "16"));
            Path run = mnt.resolve("run");
            CliTest.Result r = CliTest.run("run", sc.toString(), "--out", run.toString(), "--no-report");
            assertEquals(1, r.exit(), r.err());
            List<String> lines = r.err().lines().filter(l -> l.startsWith("tierlab: ") && !l.startsWith("tierlab: doctor")).toList();
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.getFirst().contains("No space left on device") && lines.getFirst().contains("--resume " + run), lines.getFirst());
            List<String> kept = Files.readAllLines(run.resolve("results.jsonl"));
            assertTrue(kept.size() >= 1, "the lines before the failure are kept: " + kept.size());
            ObjectMapper json = new ObjectMapper();
            for (String l : kept) {
                assertTrue(json.readTree(l).has("measured_step_ms"), "every kept line is whole: " + l);
            }
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> withShell(List<String> cmd) {
        List<String> all = new ArrayList<>(List.of("bash", "-c", "ulimit -f 12 && exec \"$@\"", "bash"));
        all.addAll(cmd);
        return all;
    }
}
