package dev.tierlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tierlab.reports.ReportBuilder;
import dev.tierlab.run.RunDirectory;
import java.io.IOException;
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

    private static String abbreviate(String hash) {
        return hash.isEmpty() ? "no scenario hash" : "sha256 " + hash.substring(0, Math.min(12, hash.length()));
    }

    @Override
    public Integer call() throws IOException {
        for (Path d : dirs) {
            if (!Files.isRegularFile(d.resolve("results.jsonl"))) {
                throw new UserError(d + ": not a run directory (no results.jsonl)");
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        checkSameExperiment(json);
        RunDirectory merged = RunDirectory.open(out);
        List<Object> envs = new ArrayList<>();
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
            if (Files.exists(d.resolve("env.json"))) {
                envs.add(json.readTree(d.resolve("env.json").toFile()));
            }
        }
        merged.writeResults();
        Map<String, Object> env = new LinkedHashMap<>();
        if (!envs.isEmpty()) {
            env.putAll(json.convertValue(envs.getFirst(), Map.class));
        }
        env.put("merged_from", dirs.stream().map(Path::toString).toList());
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
        spec.commandLine().getOut().printf("merged %d results from %d directories into %s%nreport: %s%n", lines, dirs.size(), out,
                report.html());
        return TierlabCli.EXIT_OK;
    }
}
