package dev.tierlab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.tierlab.emulator.latency.LatencySpecs;
import dev.tierlab.emulator.tier.TierSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/scenario.schema.json, the JSON Schema editors use to check scenarios as they are typed:
 * every library scenario validates against it, it rejects what the loader rejects for its keys,
 * and its keys at every level are exactly the loader's (read from the loader's own constants).
 */
class ScenarioSchemaTest {

    static final Path SCHEMA = Path.of("..", "docs", "scenario.schema.json");
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Schema schema() throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(SCHEMA), InputFormat.JSON);
    }

    static List<Error> validate(Path yaml) throws IOException {
        JsonNode doc = YAML.readTree(yaml.toFile());
        return schema().validate(doc);
    }

    @Test
    void everyLibraryScenarioValidates() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("library"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 5, "library scenarios: " + files);
        for (Path f : files) {
            assertEquals(List.of(), validate(f).stream().map(Error::toString).toList(), f.toString());
        }
    }

    /** The schema is not vacuous: bad keys, types, units and ranges the loader refuses, it refuses too. */
    @Test
    void theSchemaRejectsWhatTheLoaderRejects() throws IOException {
        Path bad = Path.of("src", "test", "resources", "bad");
        for (String f : List.of("unknown-key.yaml", "zero-repeats.yaml", "bad-prompt.yaml", "unknown-distribution.yaml", "copy-mode.yaml",
                "corpus/scenarios/negative-recent.yaml", "corpus/scenarios/huge-channels.yaml", "corpus/scenarios/fraction-percent-above-100.yaml",
                "corpus/scenarios/precision-zero.yaml", "corpus/scenarios/huge-repeats.yaml", "corpus/scenarios/huge-context.yaml",
                "corpus/scenarios/huge-prefetch.yaml", "corpus/scenarios/cache-capacity-zero.yaml", "corpus/scenarios/negative-latency.yaml",
                "corpus/scenarios/stall-probability-above-1.yaml", "corpus/scenarios/layer-range-negative.yaml", "corpus/scenarios/fraction-zero.yaml")) {
            assertFalse(validate(bad.resolve(f)).isEmpty(), f + " passes the schema");
        }
    }

    /**
     * Each object in the schema against the loader's key set for it. When a key is added to the
     * loader, this names the schema object (a JSON pointer into docs/scenario.schema.json) that
     * needs it, and the reverse.
     */
    @Test
    void theSchemaAndTheLoaderAgreeOnEveryKey() throws IOException {
        JsonNode root = JSON.readTree(SCHEMA.toFile());
        Map<String, Set<String>> loader = new LinkedHashMap<>();
        loader.put("/properties (top level; ScenarioLoader.KEYS)", ScenarioLoader.KEYS);
        loader.put("/$defs/model/properties (ScenarioLoader.MODEL_KEYS)", ScenarioLoader.MODEL_KEYS);
        loader.put("/$defs/workload/properties (ScenarioLoader.WORKLOAD_KEYS)", ScenarioLoader.WORKLOAD_KEYS);
        loader.put("/$defs/tier/properties (TierSpecs.KEYS)", TierSpecs.KEYS);
        loader.put("/$defs/latencyMap/properties (LatencySpecs.KEYS)", LatencySpecs.KEYS);
        loader.put("/$defs/placement/properties (EmulationSpecs.PLACEMENT_KEYS)", EmulationSpecs.PLACEMENT_KEYS);
        loader.put("/$defs/weightRule/properties (EmulationSpecs.WEIGHT_KEYS)", EmulationSpecs.WEIGHT_KEYS);
        loader.put("/$defs/kvRule/properties (EmulationSpecs.KV_KEYS)", EmulationSpecs.KV_KEYS);
        loader.put("/$defs/reference/properties (EmulationSpecs.REFERENCE_KEYS)", EmulationSpecs.REFERENCE_KEYS);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : loader.entrySet()) {
            String pointer = e.getKey().substring(0, e.getKey().indexOf(' '));
            JsonNode props = root.at(pointer);
            assertTrue(props.isObject(), "docs/scenario.schema.json has no object at " + pointer);
            Set<String> inSchema = new TreeSet<>();
            props.fieldNames().forEachRemaining(inSchema::add);
            Set<String> missing = new TreeSet<>(e.getValue());
            missing.removeAll(inSchema);
            Set<String> extra = new TreeSet<>(inSchema);
            extra.removeAll(e.getValue());
            missing.forEach(k -> problems.add("docs/scenario.schema.json " + e.getKey() + ": add key '" + k + "' (the loader accepts it)"));
            extra.forEach(k -> problems.add("docs/scenario.schema.json " + e.getKey() + ": key '" + k + "' is not a loader key; remove it or add it to the loader"));
        }
        Set<String> classes = new TreeSet<>();
        root.at("/$defs/tensorClass/enum").forEach(n -> classes.add(n.asText()));
        if (!classes.equals(new TreeSet<>(EmulationSpecs.CLASSES))) {
            problems.add("docs/scenario.schema.json /$defs/tensorClass/enum is " + classes + "; EmulationSpecs.CLASSES is "
                    + new TreeSet<>(EmulationSpecs.CLASSES));
        }
        String sweep = root.at("/properties/sweep/propertyNames/pattern").asText();
        for (String top : new TreeSet<>(ScenarioLoader.SWEEPABLE)) {
            if (!sweep.matches(".*[(|]" + java.util.regex.Pattern.quote(top) + "[|)].*")) {
                problems.add("docs/scenario.schema.json /properties/sweep/propertyNames/pattern: add '" + top
                        + "' (ScenarioLoader.SWEEPABLE has it)");
            }
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
    }
}
