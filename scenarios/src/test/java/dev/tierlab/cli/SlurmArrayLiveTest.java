package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/slurm-array against a live single-node Slurm: src/test/slurm/live-cluster.sh starts
 * munged, slurmctld and slurmd from the distribution's packages in a temporary directory, submits a
 * small trace-mode scenario of two workloads as a 2-task array plus its merge job, waits for them with
 * a deadline and tears the cluster down. This test then reads the merged run directory: every point
 * exactly once, the reference figures of an unsharded run, the report, and each shard's environment.
 *
 * <p>It runs when {@code TIERLAB_SLURM_TEST=1} (then a machine that cannot host the cluster fails it:
 * CI installs the packages and turns it on) or when Slurm and munge are installed, and skips with
 * the reason otherwise ({@code TIERLAB_SLURM_TEST=0} turns it off).
 *
 * <p>The jobs run the CLI from this test's class path through {@code TIERLAB_LAUNCHER}: under Maven
 * the shaded jar that scripts/tierlab runs is built only after the tests.
 */
class SlurmArrayLiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> BINARIES = List.of("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "scancel");
    /** The jobs' deadline inside the script; a few seconds each on an idle 2-core machine (measured: 12 s from submission). */
    private static final int JOB_DEADLINE_SECONDS = 480;
    /** The whole script: the cluster's start and teardown on top of the jobs. */
    private static final int SCRIPT_TIMEOUT_SECONDS = JOB_DEADLINE_SECONDS + 120;

    @TempDir
    Path dir;

    @Test
    void aTwoTaskArrayAndItsMergeJobOnALiveSingleNodeSlurmGiveOneRunWithEveryPointOnce() throws IOException, InterruptedException {
        String flag = System.getenv("TIERLAB_SLURM_TEST");
        Assumptions.assumeFalse("0".equals(flag), "live Slurm test off: TIERLAB_SLURM_TEST=0");
        boolean required = "1".equals(flag);
        List<String> missing = BINARIES.stream().filter(b -> !onPath(b)).toList();
        if (!missing.isEmpty()) {
            unavailable(required, "Slurm or munge is not installed (no " + String.join(", ", missing)
                    + "): apt-get install slurmctld slurmd slurm-client munge as root, then TIERLAB_SLURM_TEST=1");
        }

        Path scenario = dir.resolve("slurm-live.yaml");
        Files.writeString(scenario, ScenarioRunTest.scenarioText("slurm-live", "trace", "1x, 0.5x", 2, 4, "8, 16"));
        Path launcher = launcher();
        Path run = dir.resolve("run");
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("src/test/slurm/live-cluster.sh").toAbsolutePath().toString(),
                scenario.toString(), run.toString(), "2", String.valueOf(JOB_DEADLINE_SECONDS)).redirectErrorStream(true);
        pb.environment().put("TIERLAB_LAUNCHER", launcher.toString());
        Path log = dir.resolve("live-cluster.log");
        pb.redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroy(); // SIGTERM: the script's trap tears the cluster down
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            fail("live-cluster.sh ran past " + SCRIPT_TIMEOUT_SECONDS + " s:\n" + Files.readString(log));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String out = Files.readString(log);
        if (p.exitValue() == 3) {
            unavailable(required, out.strip());
        }
        assertEquals(0, p.exitValue(), "live-cluster.sh:\n" + out);
        System.out.printf("SlurmArrayLiveTest: live single-node Slurm, 2-task array + merge job: %.1f s in all (cluster start, submission, "
                + "jobs, teardown)%n%s", seconds, out.lines().filter(l -> l.startsWith("live-cluster:")).map(l -> "  " + l + "\n")
                        .collect(Collectors.joining()));

        // Each shard ran one workload (each with its own baseline), under its own array task.
        Set<String> shardWorkloads = new HashSet<>();
        for (int i = 1; i <= 2; i++) {
            Path shard = run.resolve("shard-" + i);
            Set<String> workloads = ScenarioRunTest.results(shard).stream().map(n -> n.get("point_id").asText())
                    .map(id -> id.substring(0, id.indexOf('/'))).collect(Collectors.toSet());
            assertEquals(1, workloads.size(), "shard " + i + " ran one workload: " + workloads);
            assertTrue(shardWorkloads.addAll(workloads), "the shards ran different workloads");
            JsonNode env = JSON.readTree(shard.resolve("env.json").toFile());
            assertEquals(i + "/2", env.path("shard").asText());
            assertEquals(String.valueOf(i), env.path("slurm_job").path("array_task_id").asText(), env.toString());
            assertTrue(Files.exists(run.resolve("shard-" + i + ".log")));
        }

        // The merged run: every point of the plan exactly once, in the results and in the report's table.
        Path merged = run.resolve("merged");
        List<JsonNode> rows = ScenarioRunTest.results(merged);
        Map<String, Integer> perRepeat = new TreeMap<>();
        rows.forEach(n -> perRepeat.merge(n.get("point_id").asText() + "#" + n.get("role").asText() + "#" + n.get("repeat").asInt(), 1,
                Integer::sum));
        assertEquals(Map.of(), perRepeat.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "no repeat twice");
        Set<String> expected = new HashSet<>();
        for (String w : List.of("p8-n4-d0", "p16-n4-d0")) {
            for (String point : List.of("baseline", "tiers.flash.read_bandwidth=1x", "tiers.flash.read_bandwidth=0.5x")) {
                expected.add(w + "/" + point);
            }
        }
        assertEquals(expected, rows.stream().map(n -> n.get("point_id").asText()).collect(Collectors.toSet()));
        assertEquals(2 * 3 * 2, rows.size(), "2 workloads x (baseline + 2 points) x 2 traced repeats");
        // Reference figures come from the traces alone: the merged run has the unsharded run's, point by point.
        Path single = dir.resolve("single");
        CliTest.Result one = CliTest.run("run", scenario.toString(), "--out", single.toString(), "--no-report");
        assertEquals(0, one.exit(), one.err());
        assertEquals(referenceRatios(ScenarioRunTest.results(single)), referenceRatios(rows));
        List<String> csvIds = new ArrayList<>();
        List<String> csv = Files.readAllLines(merged.resolve("summary.csv"));
        int idColumn = List.of(csv.getFirst().split(",")).indexOf("point_id");
        csv.stream().skip(1).forEach(l -> csvIds.add(l.split(",")[idColumn]));
        assertEquals(expected.size(), csvIds.size(), "one summary row per point: " + csvIds);
        assertEquals(expected, new HashSet<>(csvIds));
        String report = Files.readString(merged.resolve("report.md"));
        String points = report.substring(report.indexOf("## Points"), report.indexOf("## Requirements"));
        for (String w : List.of("p8-n4-d0", "p16-n4-d0")) {
            assertEquals(1, count(points, "| | **" + w + "** |"), "the report's table has workload " + w + " once:\n" + points);
        }
        for (String row : List.of("| 2 | tiers.flash.read_bandwidth=1x |", "| 3 | tiers.flash.read_bandwidth=0.5x |",
                "| 5 | tiers.flash.read_bandwidth=1x |", "| 6 | tiers.flash.read_bandwidth=0.5x |")) {
            assertEquals(1, count(points, row), "the report's table holds " + row + " once:\n" + points);
        }
        assertTrue(Files.readString(merged.resolve("report.html")).contains("Merged shards: "), "the report compares the shards' bases");
        assertTrue(Files.readString(run.resolve("merge.log")).contains("merged 12 results from 2 directories"),
                Files.readString(run.resolve("merge.log")));

        // Both shards' environments are kept, each with its own Slurm task; the top level speaks for both.
        JsonNode env = JSON.readTree(merged.resolve("env.json").toFile());
        assertEquals(2, env.path("shards").size());
        for (int i = 1; i <= 2; i++) {
            JsonNode shardEnv = JSON.readTree(merged.resolve("shards/env-" + i + ".json").toFile());
            assertEquals(i + "/2", shardEnv.path("shard").asText());
            assertEquals(String.valueOf(i), shardEnv.path("slurm_job").path("array_task_id").asText());
        }
        assertTrue(env.path("shard").asText().startsWith("merged: shard 1/2"), env.path("shard").asText());
        assertFalse(env.has("slurm_job"));
    }

    /** point_id#repeat -> ref_tg_ratio of the emulated lines. */
    private static Map<String, Double> referenceRatios(List<JsonNode> rows) {
        Map<String, Double> m = new TreeMap<>();
        rows.stream().filter(n -> n.get("role").asText().equals("emulated"))
                .forEach(n -> m.put(n.get("point_id").asText() + "#" + n.get("repeat").asInt(), n.get("ref_tg_ratio").asDouble()));
        assertEquals(4 * 2, m.size(), "4 points x 2 repeats: " + m);
        return m;
    }

    /** A fail when the test was asked for (TIERLAB_SLURM_TEST=1), a skip with the reason otherwise. */
    private static void unavailable(boolean required, String why) {
        if (required) {
            fail("TIERLAB_SLURM_TEST=1 but " + why);
        }
        System.out.println("SlurmArrayLiveTest skipped: " + why);
        Assumptions.abort("live Slurm test skipped: " + why);
    }

    private static boolean onPath(String binary) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/sbin");
        return dirs.stream().filter(d -> !d.isEmpty()).anyMatch(d -> Files.isExecutable(Path.of(d, binary)));
    }

    /** The CLI from this JVM's class path, as the jobs' tierlab. */
    private Path launcher() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = """
                #!/usr/bin/env bash
                exec %s --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp %s dev.tierlab.cli.TierlabCli "$@"
                """.formatted(quote(java), quote(System.getProperty("java.class.path")));
        Path f = dir.resolve("tierlab-launcher");
        Files.writeString(f, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        return f;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static int count(String text, String needle) {
        return (int) Stream.iterate(text.indexOf(needle), i -> i >= 0, i -> text.indexOf(needle, i + 1)).count();
    }
}
