package dev.tierlab.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tierlab.emulator.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads YAML files as plain maps; syntax errors come back as file:line:column. */
public final class Yaml {

    static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

    private Yaml() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException(file.toString(), "no such file");
        }
        try {
            Object v = MAPPER.readValue(file.toFile(), Object.class);
            if (v == null) {
                return new LinkedHashMap<>();
            }
            if (!(v instanceof Map<?, ?>)) {
                throw new SpecException(file.toString(), "expected a YAML map of keys at the top level");
            }
            return (Map<String, Object>) v;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? file.toString() : "%s:%d:%d".formatted(file, at.getLineNr(), at.getColumnNr());
            throw new SpecException(where, "YAML syntax error: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new SpecException(file.toString(), "cannot read: " + e.getMessage());
        }
    }
}
