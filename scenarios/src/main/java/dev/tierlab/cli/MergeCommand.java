package dev.tierlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tierlab.reports.ReportBuilder;
import dev.tierlab.run.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Join the run directories of shards into one, and report it.",
            "The shards are parts of one run made with tierlab run --shard I/N."})
final class MergeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR")
    List<Path> dirs;

    @Option(names = "-o", required = true, paramLabel = "DIR", description = "The merged run directory.")
    Path out;

    @Option(names = "--base-tolerance", paramLabel = "PCT", defaultValue = "20",
            description = "Say so (output and report) when the shards' sentinel or calibration bases differ by more than PCT percent "
                    + "(max / min - 1; default: ${DEFAULT-VALUE}).")
    double baseTolerancePct;

    /**
     * Shards of one run share a scenario (its hash) and a tierlab version: anything else would mix two
     * experiments into one report.
     */
    private void checkSameExperiment(ObjectMapper json) throws IOException {
        String scenario = null;
        String version = null;
        Path first = null;
        for (Path d : dirs) {
            Path env = d.resolve("env.json");
            if (!Files.exists(env)) {
                continue;
            }
            var n = json.readTree(env.toFile());
            String s = n.path("scenario_sha256").asText("");
            String v = n.path("tierlab_version").asText("") + "@" + n.path("tierlab_git_sha").asText("");
            if (first == null) {
                first = d;
                scenario = s;
                version = v;
                continue;
            }
            if (!s.equals(scenario)) {
                throw new UserError("%s and %s ran different scenarios (%s vs %s); merge only the shards of one run"
                        .formatted(first, d, abbreviate(scenario), abbreviate(s)));
            }
            if (!v.equals(version)) {
                throw new UserError("%s and %s ran different tierlab versions (%s vs %s); rerun the shards with one version"
                        .formatted(first, d, version, v));
            }
        }
    }

    /**
     * Shards of one split share N ("2/4" and "3/4"); a missing shard is said, not refused, so that the
     * shards finished so far can be looked at.
     *
     * @return the note on missing shards, or null
     */
    private String checkSplit(List<Path> withEnv, List<JsonNode> envs) {
        Map<Integer, Path> countFrom = new LinkedHashMap<>();
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (int i = 0; i < envs.size(); i++) {
            String shard = envs.get(i).path("shard").asText("");
            int slash = shard.indexOf('/');
            if (slash < 0) {
                continue;
            }
            int index;
            int count;
            try {
                index = Integer.parseInt(shard.substring(0, slash));
                count = Integer.parseInt(shard.substring(slash + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            countFrom.putIfAbsent(count, withEnv.get(i));
            if (countFrom.size() > 1) {
                var it = countFrom.entrySet().iterator();
                var a = it.next();
                var b = it.next();
                throw new UserError("%s ran shard I/%d and %s shard I/%d: the workloads were split differently; merge the shards of one split"
                        .formatted(a.getValue(), a.getKey(), b.getValue(), b.getKey()));
            }
            seen.add(index);
        }
        if (countFrom.isEmpty()) {
            return null;
        }
        int n = countFrom.keySet().iterator().next();
        List<String> missing = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            if (!seen.contains(i)) {
                missing.add(i + "/" + n);
            }
        }
        return missing.isEmpty() ? null : "Shard%s %s missing: the merged run holds only the workloads of the other shards."
                .formatted(missing.size() > 1 ? "s" : "", String.join(", ", missing) + (missing.size() > 1 ? " are" : " is"));
    }

    /** A line merge says and the report shows: {@code text}, and {@code warn} when it is a warning. */
    private static Map<String, Object> note(String text, boolean warn) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("text", text);
        n.put("warn", warn);
        return n;
    }

    private static String label(JsonNode env, Path dir) {
        String shard = env.path("shard").asText("");
        String host = env.path("host").asText("");
        return (shard.isEmpty() ? dir.toString() : "shard " + shard) + (host.isEmpty() ? "" : " on " + host);
    }

    private static String abbreviate(String hash) {
        return hash.isEmpty() ? "no scenario hash" : "sha256 " + hash.substring(0, Math.min(12, hash.length()));
    }

    @Override
    public Integer call() throws IOException {
        if (!(baseTolerancePct >= 0) || Double.isInfinite(baseTolerancePct)) {
            throw new UserError("--base-tolerance: '%s' is not a percentage >= 0 (e.g. --base-tolerance 20)".formatted(baseTolerancePct));
        }
        for (Path d : dirs) {
            if (!Files.isRegularFile(d.resolve("results.jsonl"))) {
                throw new UserError(d + ": not a run directory (no results.jsonl)");
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        checkSameExperiment(json);
        List<Path> withEnv = new ArrayList<>();
        List<JsonNode> envs = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.exists(d.resolve("env.json"))) {
                withEnv.add(d);
                envs.add(json.readTree(d.resolve("env.json").toFile()));
            }
        }
        String missing = checkSplit(withEnv, envs);
        RunDirectory merged = RunDirectory.open(out);
        int lines = 0;
        for (Path d : dirs) {
            for (String line : Files.readAllLines(d.resolve("results.jsonl"))) {
                lines += merged.adoptLine(line) ? 1 : 0;
            }
            try (Stream<Path> hs = Files.exists(d.resolve("histograms")) ? Files.list(d.resolve("histograms")) : Stream.empty()) {
                for (Path h : hs.toList()) {
                    if (h.getFileName().toString().endsWith(".hlog")) {
                        Files.copy(h, out.resolve("histograms").resolve(h.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            if (!Files.exists(out.resolve("scenario.yaml")) && Files.exists(d.resolve("scenario.yaml"))) {
                Files.copy(d.resolve("scenario.yaml"), out.resolve("scenario.yaml"));
            }
        }
        merged.writeResults();

        List<String> labels = new ArrayList<>();
        for (int i = 0; i < envs.size(); i++) {
            String l = label(envs.get(i), withEnv.get(i));
            labels.add(labels.contains(l) ? l + " (" + withEnv.get(i) + ")" : l);
        }
        List<ShardBases.Check> checks = ShardBases.check(envs, labels, baseTolerancePct / 100);
        List<Map<String, Object>> notes = new ArrayList<>();
        if (missing != null) {
            notes.add(note(missing, true));
        }
        // A trace-mode run's figures are all reference figures: bases apart are said, but warn about nothing.
        boolean traceOnly = !envs.isEmpty() && envs.stream().allMatch(e -> e.path("mode").asText("").equals("trace"));
        checks.forEach(c -> notes.add(c.apart() && traceOnly
                ? note(c.text() + " This trace-mode run has only reference figures, so none of them depends on it.", false)
                : note(c.text(), c.apart())));

        Map<String, Object> env = new LinkedHashMap<>();
        if (!envs.isEmpty()) {
            env.putAll(json.convertValue(envs.getFirst(), Map.class));
            // What differs per shard lives in shards/env-*.json: the top level speaks for the whole run.
            for (String perShard : List.of("host", "slurm_job", "sentinel", "doctor", "load_average_start", "load_average_end")) {
                env.remove(perShard);
            }
            env.put("shard", "merged: " + String.join(", ", labels));
            envs.stream().map(e -> e.path("start_time").asText("")).filter(t -> !t.isEmpty()).min(String::compareTo)
                    .ifPresent(t -> env.put("start_time", t));
            envs.stream().map(e -> e.path("end_time").asText("")).filter(t -> !t.isEmpty()).max(String::compareTo)
                    .ifPresent(t -> env.put("end_time", t));
        }
        env.put("merged_from", dirs.stream().map(Path::toString).toList());
        Map<String, Object> bases = new LinkedHashMap<>();
        bases.put("tolerance", baseTolerancePct / 100);
        for (ShardBases.Check c : checks) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("gbps", c.gbpsByShard());
            b.put("spread", c.spread());
            b.put("apart", c.apart());
            bases.put(c.key(), b);
        }
        env.put("shard_bases", bases);
        env.put("merge_notes", notes);
        env.put("shards", envs);
        merged.write("env.json", json.writeValueAsString(env));
        for (int i = 0; i < dirs.size(); i++) {
            if (Files.exists(dirs.get(i).resolve("env.json"))) {
                Files.createDirectories(out.resolve("shards"));
                Files.copy(dirs.get(i).resolve("env.json"), out.resolve("shards").resolve("env-" + (i + 1) + ".json"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        var report = ReportBuilder.build(List.of(out), out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("merged %d results from %d directories into %s%n", lines, dirs.size(), out);
        for (Map<String, Object> n : notes) {
            o.println((Boolean.TRUE.equals(n.get("warn")) ? "merge: warning: " : "merge: ") + n.get("text"));
        }
        o.printf("report: %s%n", report.html());
        return TierlabCli.EXIT_OK;
    }
}
