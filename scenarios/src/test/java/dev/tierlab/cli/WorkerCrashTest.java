package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: engines run in supervised worker JVMs. A worker killed by a signal (SIGKILL, a SIGSEGV in
 * native code, abort()) or stuck past its deadline becomes a failed line of results.jsonl, a fresh
 * worker carries on, the run completes, and the report lists the failure. Real llama.cpp on the tiny
 * synthesized model; the crashes come from the worker's test-only hook (CrashHook).
 */
class WorkerCrashTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearHook() {
        System.clearProperty("tierlab.worker.crash");
    }

    private static Set<Path> hsErrFilesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith("hs_err")).collect(Collectors.toSet());
        }
    }

    private static List<JsonNode> failed(List<JsonNode> rows) {
        return rows.stream().filter(n -> n.path("status").asText().equals("failed")).toList();
    }

    /** Per point, its pairs with both sides measured. */
    private static Map<String, Integer> completePairs(List<JsonNode> rows) {
        Map<String, Set<String>> sides = new TreeMap<>();
        rows.stream().filter(n -> !n.path("status").asText().equals("failed")).forEach(n -> sides.computeIfAbsent(
                n.get("point_id").asText() + "#" + n.get("pair").asInt(), k -> new HashSet<>()).add(n.get("role").asText()));
        Map<String, Integer> complete = new TreeMap<>();
        sides.forEach((k, v) -> complete.merge(k.substring(0, k.indexOf('#')), v.size() == 2 ? 1 : 0, Integer::sum));
        return complete;
    }

    @Test
    void aWorkerKilledBySigkillAndOneBySigsegvBecomeFailedRepeatsAndTheRunCompletes() throws IOException {
        Set<Path> hsErrBefore = hsErrFilesIn(Path.of("").toAbsolutePath());
        Path sc = dir.resolve("crashy.yaml");
        Files.writeString(sc, ScenarioRunTest.scenarioText("crashy", "inject", "1x, 0.25x", 2, 4, "16"));
        Path run = dir.resolve("run");
        // worker 1 dies of SIGKILL as it starts the repeat after the first line; worker 2 of a segfault in native code
        System.setProperty("tierlab.worker.crash", "kill@1,segv@4");
        CliTest.Result r = CliTest.run("run", sc.toString(), "--out", run.toString());
        assertEquals(0, r.exit(), r.err());

        List<JsonNode> rows = ScenarioRunTest.results(run);
        List<JsonNode> failures = failed(rows);
        assertEquals(2, failures.size(), "one failed line per crash: " + failures);
        JsonNode kill = failures.get(0).get("failure");
        JsonNode segv = failures.get(1).get("failure");
        assertEquals("SIGKILL", kill.get("signal").asText(), kill.toString());
        assertEquals(137, kill.get("exit_status").asInt());
        assertEquals("SIGSEGV", segv.get("signal").asText(), "the JVM's hs_err names the signal it died of: " + segv);
        assertTrue(segv.get("frame").asText().contains("libc"), "hs_err names the native frame (memset in libc): " + segv);
        assertTrue(segv.get("hs_err").isTextual(), segv.toString());
        assertTrue(Files.isRegularFile(run.resolve(segv.get("hs_err").asText())), "the hs_err file is kept in the run directory");
        for (JsonNode f : failures) {
            assertTrue(f.get("failure").get("stderr_tail").toString().contains("test crash hook"), "the worker's last lines: " + f);
            assertTrue(Set.of("baseline", "emulated").contains(f.get("role").asText()), f.toString());
            assertTrue(f.has("pair") && f.has("point_id") && f.get("worker").asInt() > 0, f.toString());
        }
        assertEquals(1, failures.get(0).get("worker").asInt());
        assertEquals(2, failures.get(1).get("worker").asInt());
        assertEquals(Set.of(1, 2, 3), rows.stream().map(n -> n.get("worker").asInt()).collect(Collectors.toSet()),
                "every line says which worker ran it; three workers ran");
        assertEquals(2, completePairs(rows).size(), "both points were measured");
        completePairs(rows).forEach((point, n) -> assertTrue(n >= 2, point + " has its 2 complete pairs despite the crashes"));
        assertTrue(r.err().contains("died of SIGKILL") && r.err().contains("died of SIGSEGV"), r.err());

        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve("env.json").toFile()).get("execution").asText()
                .startsWith("worker JVMs"));
        String md = Files.readString(run.resolve("report.md"));
        assertTrue(md.contains("## Failed repeats"), md);
        assertTrue(md.contains("SIGKILL") && md.contains("SIGSEGV"), md);
        assertTrue(md.contains(segv.get("frame").asText()), "the report names the native frame of the segfault: " + md);
        assertTrue(Files.readString(run.resolve("report.html")).contains("Failed repeats"));
        assertEquals(hsErrBefore, hsErrFilesIn(Path.of("").toAbsolutePath()), "no hs_err file in the working directory");
    }

    @Test
    void anAbortAndADeadlineOverrunAreFailedRepeatsToo() throws IOException {
        Path sc = dir.resolve("abort.yaml");
        Files.writeString(sc, ScenarioRunTest.scenarioText("abort", "inject", "1x", 2, 4, "16"));
        Path run = dir.resolve("run");
        System.setProperty("tierlab.worker.crash", "abort@0,hang@3");
        CliTest.Result r = CliTest.run("run", sc.toString(), "--out", run.toString(), "--no-report", "--repeat-timeout", "15");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> failures = failed(ScenarioRunTest.results(run));
        assertEquals(2, failures.size(), failures.toString());
        assertEquals("SIGABRT", failures.get(0).get("failure").get("signal").asText(), failures.get(0).toString());
        JsonNode hang = failures.get(1).get("failure");
        assertEquals("deadline", hang.get("cause").asText(), hang.toString());
        assertEquals(15, hang.get("deadline_s").asInt());
        completePairs(ScenarioRunTest.results(run)).forEach((point, n) -> assertTrue(n >= 2, point + ": " + n));
        assertTrue(r.err().contains("overran its 15 s deadline"), r.err());
    }

    @Test
    void stoppingTheRunStopsItsWorkerAndLeavesAResumableRun() throws Exception {
        // SIGTERM takes the same path as Ctrl-C (the shutdown hook); only the supervisor gets it, so its hook must stop the worker
        Path sc = dir.resolve("stopped.yaml");
        Files.writeString(sc, ScenarioRunTest.scenarioText("stopped", "inject", "0.002x, 0.003x", 3, 4, "16"));
        Path run = dir.resolve("run");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), TierlabCli.class.getName(), "run", sc.toString(), "--out", run.toString(),
                "--no-report").redirectOutput(dir.resolve("out.log").toFile()).redirectError(dir.resolve("err.log").toFile()).start();
        Path results = run.resolve("results.jsonl");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive() && (!Files.exists(results) || Files.readAllLines(results).size() < 3)) {
            Thread.sleep(20);
        }
        List<ProcessHandle> workers = p.toHandle().children().toList();
        assertEquals(1, workers.size(), "one worker JVM measures the workload");
        p.destroy();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(workers.getFirst().onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).handle((h, e) -> !h.isAlive()).join(),
                "the worker stops with its supervisor");
        String err = Files.readString(dir.resolve("err.log"));
        List<String> before = Files.readAllLines(results);
        assertTrue(err.contains("interrupted; " + before.size() + " finished repeats are kept") && err.contains("--resume " + run), err);
        assertTrue(before.size() < 12, "stopped mid-run: " + before.size());
        assertTrue(failed(ScenarioRunTest.results(run)).isEmpty(), "a stopped worker is not a failed repeat");

        CliTest.Result resumed = CliTest.run("run", sc.toString(), "--resume", run.toString(), "--no-report");
        assertEquals(0, resumed.exit(), resumed.err());
        List<String> after = Files.readAllLines(results);
        assertEquals(before, after.subList(0, before.size()), "finished repeats are kept as they were");
        completePairs(ScenarioRunTest.results(run)).forEach((point, n) -> assertTrue(n >= 3, point + ": " + n));
    }

    @Test
    void benchForkPrintsWhatItPrintsInProcessAndReportsACrashInOneLine() throws IOException {
        Path model = dir.resolve("tiny.gguf");
        assertEquals(0, CliTest.run("model", "synth", "--preset", "tiny", "-o", model.toString()).exit());
        CliTest.Result forked = CliTest.run("bench", "--fork", "-m", model.toString(), "-p", "8", "-n", "4", "-r", "2", "-t", "1", "-o", "csv");
        assertEquals(0, forked.exit(), forked.err());
        List<String> lines = forked.out().strip().lines().toList();
        assertEquals(3, lines.size(), "a header and the pp and tg rows: " + forked.out());
        CliTest.Result here = CliTest.run("bench", "-m", model.toString(), "-p", "8", "-n", "4", "-r", "2", "-t", "1", "-o", "csv");
        assertEquals(here.out().strip().lines().findFirst(), lines.stream().findFirst(), "the same columns");

        System.setProperty("tierlab.worker.crash", "segv@0");
        Set<Path> hsErrBefore = hsErrFilesIn(Path.of("").toAbsolutePath());
        CliTest.Result crashed = CliTest.run("bench", "--fork", "-m", model.toString(), "-p", "8", "-n", "4", "-r", "2", "-o", "csv");
        assertEquals(1, crashed.exit(), crashed.err());
        List<String> said = crashed.errLines().stream().filter(l -> l.startsWith("tierlab: ")).toList();
        assertEquals(1, said.size(), crashed.err());
        assertTrue(said.getFirst().startsWith("tierlab: bench: the worker JVM died of SIGSEGV") && said.getFirst().contains("crash report: "),
                said.getFirst());
        Path report = Path.of(said.getFirst().replaceFirst(".*crash report: ([^)]*)\\).*", "$1"));
        assertTrue(Files.isRegularFile(report), report.toString());
        Files.delete(report);
        Files.delete(report.getParent());
        assertEquals(hsErrBefore, hsErrFilesIn(Path.of("").toAbsolutePath()), "no hs_err file in the working directory");
    }

    @Test
    void inProcessRunsHaveNoWorkers() throws IOException {
        Path sc = dir.resolve("inproc.yaml");
        Files.writeString(sc, ScenarioRunTest.scenarioText("inproc", "inject", "1x", 1, 4, "16"));
        Path run = dir.resolve("run");
        CliTest.Result r = CliTest.run("run", sc.toString(), "--out", run.toString(), "--no-report", "--in-process");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> rows = ScenarioRunTest.results(run);
        assertFalse(rows.isEmpty());
        rows.forEach(n -> assertFalse(n.has("worker"), n.toString()));
        assertFalse(Files.exists(run.resolve("workers")));
        assertEquals("in-process", new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve("env.json").toFile())
                .get("execution").asText());
        assertNotNull(rows.getFirst().get("measured_step_ms"));
    }
}
