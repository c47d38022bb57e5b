package dev.tierlab.scenario;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tierlab.emulator.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reference-system file, as {@code tierlab calibrate --gpu} writes it: a YAML map whose
 * {@code reference} block has the keys of a scenario's {@code reference} map, and whose
 * {@code tiers} block has tier specs by preset name ({@code gpu-hbm}, {@code pcie-pinned},
 * {@code host-mapped}). A scenario names it as {@code reference: {file: gpu-reference.yaml}} and
 * {@code tiers: {pcie: {file: gpu-reference.yaml, preset: pcie-pinned}}}; keys given beside
 * {@code file} override the file's. Paths in the file (latency histograms) are relative to it.
 */
final class ReferenceFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ReferenceFiles() {
    }

    /** The scenario's {@code reference} map with the file's {@code reference} block under it. */
    static Map<String, Object> reference(Map<String, Object> scenarioMap, Path baseDir) {
        Path file = baseDir.resolve(String.valueOf(scenarioMap.get("file")));
        Map<String, Object> merged = new LinkedHashMap<>(block(file, "reference", "reference.file"));
        scenarioMap.forEach((k, v) -> {
            if (!k.equals("file")) {
                merged.put(k, v);
            }
        });
        return merged;
    }

    /** The tier spec {@code preset} (default: the tier's name) of the file's {@code tiers} block, overridden by the scenario's keys. */
    static Map<String, Object> tier(String tierName, Map<String, Object> scenarioMap, Path baseDir) {
        String f = "tiers." + tierName;
        Path file = baseDir.resolve(String.valueOf(scenarioMap.get("file")));
        Map<String, Object> tiers = block(file, "tiers", f + ".file");
        String preset = scenarioMap.containsKey("preset") ? String.valueOf(scenarioMap.get("preset")) : tierName;
        Object spec = tiers.get(preset);
        if (!(spec instanceof Map<?, ?> m)) {
            throw new SpecException(f + ".preset", "%s has no tier '%s' under tiers; it has %s".formatted(file, preset, String.join(", ", tiers.keySet())));
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        m.forEach((k, v) -> merged.put(String.valueOf(k), v));
        scenarioMap.forEach((k, v) -> {
            if (!k.equals("file") && !k.equals("preset")) {
                merged.put(k, v);
            }
        });
        return merged;
    }

    /** The directory a file's relative paths resolve against. */
    static Path dirOf(Map<String, Object> scenarioMap, Path baseDir) {
        Path dir = baseDir.resolve(String.valueOf(scenarioMap.get("file"))).toAbsolutePath().getParent();
        return dir != null ? dir : baseDir;
    }

    private static Map<String, Object> block(Path file, String key, String field) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException(field, "%s: no such file; write one with 'tierlab calibrate --gpu --reference-out FILE'".formatted(file));
        }
        Object root;
        try {
            root = YAML.readValue(file.toFile(), Object.class);
        } catch (JacksonException e) {
            throw new SpecException(field, "%s: not YAML (%s)".formatted(file, e.getOriginalMessage()));
        } catch (IOException e) {
            throw new SpecException(field, "%s: cannot read (%s)".formatted(file, e.getMessage()));
        }
        if (!(root instanceof Map<?, ?> r) || !(r.get(key) instanceof Map<?, ?> b)) {
            throw new SpecException(field, "%s has no '%s:' map; is it a reference file from 'tierlab calibrate --gpu'?".formatted(file, key));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        b.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
