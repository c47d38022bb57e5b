package dev.tierlab.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The results of one or more run directories (shards of a run, or a resumed run), read back: every
 * finished repeat once, env.json per directory, the first scenario.yaml.
 */
public record RunData(List<Path> dirs, List<ResultRecord> records, Map<String, JsonNode> env, String scenarioYaml,
        List<Failure> failures) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RunData {
        dirs = List.copyOf(dirs);
        records = List.copyOf(records);
        failures = List.copyOf(failures);
    }

    public static RunData read(List<Path> dirs) {
        List<ResultRecord> records = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        Map<String, JsonNode> env = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        String yaml = "";
        for (Path dir : dirs) {
            Path results = dir.resolve("results.jsonl");
            if (!Files.isRegularFile(results)) {
                throw new IllegalArgumentException(dir + ": not a run directory (no results.jsonl)");
            }
            try {
                int lineNo = 0;
                for (String line : Files.readAllLines(results)) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n;
                    try {
                        n = JSON.readTree(line);
                    } catch (IOException e) {
                        continue; // a line cut short by a crash is not a finished repeat
                    }
                    if ("failed".equals(n.path("status").asText(""))) {
                        // a repeat whose worker died: listed by the report, never measured
                        Failure f = Failure.of(n);
                        if (seen.add("failed#" + f.pointId() + "#" + f.role() + "#" + f.repeat())) {
                            failures.add(f);
                        }
                        continue;
                    }
                    ResultRecord r;
                    try {
                        r = ResultRecord.of(n);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(results + ":" + lineNo + ": " + e.getMessage(), e);
                    }
                    if (seen.add(r.identity())) {
                        records.add(r);
                    }
                }
                Path envFile = dir.resolve("env.json");
                if (Files.exists(envFile)) {
                    env.put(dir.toString(), JSON.readTree(envFile.toFile()));
                }
                Path sc = dir.resolve("scenario.yaml");
                if (yaml.isEmpty() && Files.exists(sc)) {
                    yaml = Files.readString(sc);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new RunData(dirs, records, env, yaml, failures);
    }

    /** Whether any line is in the v2 (paired) format. */
    public boolean v2() {
        return records.stream().anyMatch(ResultRecord::v2);
    }

    /** The lines flagged disturbed (their sentinel fell too far below the run's median). */
    public List<ResultRecord> disturbed() {
        return records.stream().filter(r -> r.noise().disturbed()).toList();
    }

    /** The first env.json, if any. */
    public JsonNode firstEnv() {
        return env.values().stream().findFirst().orElse(null);
    }
}
