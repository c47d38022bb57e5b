package dev.tierlab.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tierlab.emulator.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into plain maps and lists, remembering where each field stood, so an error
 * about {@code tiers.flash.read_bandwidth} can point at {@code file:12:20}.
 */
public final class LocatedYaml {

    private final Path file;
    private final Map<String, Object> root;
    private final Map<String, int[]> locations;

    private LocatedYaml(Path file, Map<String, Object> root, Map<String, int[]> locations) {
        this.file = file;
        this.root = root;
        this.locations = locations;
    }

    public static LocatedYaml read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException(file.toString(), "no such file");
        }
        Map<String, int[]> locations = new HashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return new LocatedYaml(file, new LinkedHashMap<>(), locations);
            }
            if (first != JsonToken.START_OBJECT) {
                throw new SpecException(file + ":1:1", "a scenario is a YAML map of keys (model, workload, tiers, ...)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> root = (Map<String, Object>) value(p, "", locations);
            return new LocatedYaml(file, root, locations);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? file.toString() : "%s:%d:%d".formatted(file, at.getLineNr(), at.getColumnNr());
            throw new SpecException(where, "YAML syntax error: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new SpecException(file.toString(), "cannot read: " + e.getMessage());
        }
    }

    private static Object value(JsonParser p, String path, Map<String, int[]> locations) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        locations.putIfAbsent(path, new int[] {at.getLineNr(), at.getColumnNr()});
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String child = path.isEmpty() ? key : path + "." + key;
                    JsonLocation keyAt = p.currentTokenLocation();
                    locations.put(child, new int[] {keyAt.getLineNr(), keyAt.getColumnNr()});
                    p.nextToken();
                    if (m.containsKey(key)) {
                        throw new SpecException(keyAt.getLineNr() + ":" + keyAt.getColumnNr() + ": " + child, "appears twice; keep one");
                    }
                    m.put(key, value(p, child, locations));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p, path + "[" + i++ + "]", locations));
                }
                return l;
            }
            case VALUE_NULL -> {
                return null;
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            default -> {
                return p.getText();
            }
        }
    }

    public Path file() {
        return file;
    }

    public Map<String, Object> root() {
        return root;
    }

    /** "file:line:column" of a field, or of its nearest parent the file has. */
    public String where(String field) {
        String f = field;
        while (true) {
            int[] at = locations.get(f);
            if (at != null) {
                return "%s:%d:%d".formatted(file, at[0], at[1]);
            }
            int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
            if (cut <= 0) {
                return file.toString();
            }
            f = f.substring(0, cut);
        }
    }
}
