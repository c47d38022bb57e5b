package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tierlab merge on synthetic shard directories: the shards' bases compared (sentinel, calibration,
 * host DRAM), said on the output and in the report when further apart than the tolerance; splits
 * that do not belong together refused with one line; a missing shard said.
 */
class MergeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** One shard: a paired point of its own workload, and its env.json with the given bases. */
    private Path shard(String name, String shard, String scenarioHash, Map<String, Object> extraEnv) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        int index = Integer.parseInt(shard.substring(0, shard.indexOf('/')));
        String workload = "p" + (8 * index) + "-n8-d0";
        StringBuilder sb = new StringBuilder();
        for (int pair = 0; pair < 3; pair++) {
            for (String role : List.of("baseline", "emulated")) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("point", role.equals("baseline") ? Map.of() : Map.of("tiers.flash.read_bandwidth", "0.5x"));
                m.put("point_id", workload + (role.equals("baseline") ? "/baseline" : "/tiers.flash.read_bandwidth=0.5x"));
                m.put("point_index", 2 * index);
                m.put("baseline", role.equals("baseline"));
                m.put("role", role);
                m.put("pair", pair);
                m.put("repeat", pair);
                m.put("engine", "fixture");
                m.put("n_prompt", 8 * index);
                m.put("n_gen", 8);
                double ms = role.equals("baseline") ? 10 : 12 + 0.1 * pair;
                m.put("decode_ms", new double[] {ms, ms, ms, ms, ms, ms, ms, ms});
                m.put("itl_n", 8);
                m.put("tg_tps", 1000 / ms);
                m.put("sentinel_gbps", 20.0);
                m.put("disturbed", false);
                m.put("ref_tg_tps", role.equals("baseline") ? 100.0 : 80.0);
                sb.append(JSON.writeValueAsString(m)).append('\n');
            }
        }
        Files.writeString(d.resolve("results.jsonl"), sb);
        Files.writeString(d.resolve("scenario.yaml"), "# Question: does flash slow decode?\nname: merge-fixture\n");
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("host", "node" + index);
        env.put("scenario", "merge-fixture");
        env.put("scenario_sha256", scenarioHash);
        env.put("tierlab_version", "0.1.0");
        env.put("tierlab_git_sha", "abc");
        env.put("shard", shard);
        env.putAll(extraEnv);
        Files.writeString(d.resolve("env.json"), JSON.writeValueAsString(env));
        return d;
    }

    private static Map<String, Object> sentinel(double medianGbps) {
        return Map.of("sentinel", Map.of("median_gbps", medianGbps, "n", 6));
    }

    @Test
    void shardsWhoseSentinelsDifferByMoreThanTheToleranceAreSaidInTheOutputAndTheReport() throws IOException {
        Path a = shard("a", "1/2", "aaaa", sentinel(20.0));
        Path b = shard("b", "2/2", "aaaa", sentinel(30.0));
        Path out = dir.resolve("merged");
        CliTest.Result r = CliTest.run("merge", a.toString(), b.toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        String warning = "Memory-bandwidth sentinel medians differ by 50% between shards "
                + "(shard 1/2 on node1: 20.00 GB/s, shard 2/2 on node2: 30.00 GB/s), more than 20%";
        assertTrue(r.out().contains("merge: warning: " + warning), r.out());
        assertTrue(Files.readString(out.resolve("report.md")).contains("**Merged shards, warning:** " + warning),
                Files.readString(out.resolve("report.md")));
        assertTrue(Files.readString(out.resolve("report.html")).contains("<li class=\"warn\">Merged shards: " + warning));
        JsonNode env = JSON.readTree(out.resolve("env.json").toFile());
        assertTrue(env.path("shard_bases").path("sentinel_median_gbps").path("apart").asBoolean());
        assertEquals(0.5, env.path("shard_bases").path("sentinel_median_gbps").path("spread").asDouble(), 1e-9);
        assertEquals("merged: shard 1/2 on node1, shard 2/2 on node2", env.path("shard").asText());
        assertFalse(env.has("sentinel"), "the top level does not speak for one shard's sentinel");
        assertEquals(30.0, JSON.readTree(out.resolve("shards/env-2.json").toFile()).path("sentinel").path("median_gbps").asDouble());
        assertEquals(2 * 6, Files.readAllLines(out.resolve("results.jsonl")).size());

        // A looser tolerance lets the same shards pass, and the report says they agree.
        Path loose = dir.resolve("loose");
        CliTest.Result l = CliTest.run("merge", a.toString(), b.toString(), "-o", loose.toString(), "--base-tolerance", "60");
        assertEquals(0, l.exit(), l.err());
        assertFalse(l.out().contains("warning"), l.out());
        assertTrue(l.out().contains("merge: Memory-bandwidth sentinel medians agree within 60% between shards (50% apart;"), l.out());
        assertFalse(Files.readString(loose.resolve("report.html")).contains("class=\"warn\">Merged shards"));
    }

    @Test
    void aTraceModeRunSaysBasesApartWithoutWarning() throws IOException {
        Map<String, Object> slow = new LinkedHashMap<>(sentinel(20.0));
        slow.put("mode", "trace");
        Map<String, Object> fast = new LinkedHashMap<>(sentinel(30.0));
        fast.put("mode", "trace");
        Path out = dir.resolve("m");
        CliTest.Result r = CliTest.run("merge", shard("a", "1/2", "aaaa", slow).toString(), shard("b", "2/2", "aaaa", fast).toString(),
                "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("warning"), r.out());
        assertTrue(r.out().contains("merge: Memory-bandwidth sentinel medians differ by 50% between shards"), r.out());
        assertTrue(r.out().contains("This trace-mode run has only reference figures, so none of them depends on it."), r.out());
        assertTrue(JSON.readTree(out.resolve("env.json").toFile()).path("shard_bases").path("sentinel_median_gbps").path("apart").asBoolean());
    }

    @Test
    void shardsWithinTheToleranceAreNotWarnedAbout() throws IOException {
        Path a = shard("a", "1/2", "aaaa", sentinel(20.0));
        Path b = shard("b", "2/2", "aaaa", sentinel(23.0));
        CliTest.Result r = CliTest.run("merge", a.toString(), b.toString(), "-o", dir.resolve("m").toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("warning"), r.out());
        assertTrue(r.out().contains("agree within 20% between shards (15% apart;"), r.out());
    }

    @Test
    void calibrationAndHostDramBasesAreComparedToo() throws IOException {
        Map<String, Object> slow = new LinkedHashMap<>(sentinel(20.0));
        slow.put("calibration", Map.of("base_bytes_per_s", 10e9));
        slow.put("bases", Map.of("host_dram_bytes_per_second", 10e9));
        Map<String, Object> fast = new LinkedHashMap<>(sentinel(21.0));
        fast.put("calibration", Map.of("base_bytes_per_s", 25e9));
        fast.put("bases", Map.of("host_dram_bytes_per_second", 11e9));
        Path a = shard("a", "1/2", "aaaa", slow);
        Path b = shard("b", "2/2", "aaaa", fast);
        CliTest.Result r = CliTest.run("merge", a.toString(), b.toString(), "-o", dir.resolve("m").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("merge: warning: Calibrated base bandwidths differ by 150% between shards "
                + "(shard 1/2 on node1: 10.00 GB/s, shard 2/2 on node2: 25.00 GB/s)"), r.out());
        assertTrue(r.out().contains("merge: Host DRAM bases agree within 20% between shards (10% apart;"), r.out());
        assertTrue(r.out().contains("merge: Memory-bandwidth sentinel medians agree within 20%"), r.out());
    }

    @Test
    void aMissingShardIsSaidAndADifferentSplitIsRefused() throws IOException {
        Path a = shard("a", "1/3", "aaaa", sentinel(20.0));
        Path b = shard("b", "2/3", "aaaa", sentinel(20.0));
        CliTest.Result r = CliTest.run("merge", a.toString(), b.toString(), "-o", dir.resolve("m").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("merge: warning: Shard 3/3 is missing: the merged run holds only the workloads of the other shards."),
                r.out());

        Path c = shard("c", "2/2", "aaaa", sentinel(20.0));
        CliTest.Result split = CliTest.run("merge", a.toString(), c.toString(), "-o", dir.resolve("s").toString());
        assertEquals(2, split.exit(), split.err());
        assertEquals(List.of("tierlab: " + a + " ran shard I/3 and " + c + " shard I/2: the workloads were split differently; merge the shards of one split"),
                split.errLines());
    }

    @Test
    void shardsOfDifferentScenariosAreRefusedWithOneLine() throws IOException {
        Path a = shard("a", "1/2", "aaaaaaaaaaaaaaaa", sentinel(20.0));
        Path b = shard("b", "2/2", "bbbbbbbbbbbbbbbb", sentinel(20.0));
        CliTest.Result r = CliTest.run("merge", a.toString(), b.toString(), "-o", dir.resolve("m").toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(List.of("tierlab: %s and %s ran different scenarios (sha256 aaaaaaaaaaaa vs sha256 bbbbbbbbbbbb); merge only the shards of one run"
                .formatted(a, b)), r.errLines());
        assertFalse(Files.exists(dir.resolve("m").resolve("results.jsonl")), "nothing is merged");
        CliTest.Result tol = CliTest.run("merge", a.toString(), "-o", dir.resolve("t").toString(), "--base-tolerance", "-5");
        assertEquals(2, tol.exit(), tol.err());
        assertEquals(1, tol.errLines().size(), tol.err());
        assertTrue(tol.err().contains("--base-tolerance: '-5.0' is not a percentage >= 0"), tol.err());
    }
}
