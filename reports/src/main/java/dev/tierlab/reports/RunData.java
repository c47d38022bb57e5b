package dev.tierlab.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

/** The results of one or more run directories (shards of a run, or a resumed run), read back. */
public record RunData(List<Path> dirs, List<ResultRecord> records, Map<String, JsonNode> env, String scenarioYaml) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static RunData read(List<Path> dirs) {
        List<ResultRecord> records = new ArrayList<>();
        Map<String, JsonNode> env = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        String yaml = "";
        for (Path dir : dirs) {
            Path results = dir.resolve("results.jsonl");
            if (!Files.isRegularFile(results)) {
                throw new IllegalArgumentException(dir + ": not a run directory (no results.jsonl)");
            }
            try {
                for (String line : Files.readAllLines(results)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n;
                    try {
                        n = JSON.readTree(line);
                    } catch (IOException e) {
                        continue; // a line cut short by a crash is not a finished repeat
                    }
                    ResultRecord r = ResultRecord.of(n);
                    if (seen.add(r.pointId() + "#" + r.repeat())) {
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
        return new RunData(List.copyOf(dirs), records, env, yaml);
    }
}
