package dev.tierlab.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The report's statement about a mixture-of-experts model: its total and active parameters and which
 * routing its numbers rest on (a synthesized assumption, or the model's own routers). Dense models get none.
 */
final class ModelLine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelLine() {
    }

    static Optional<String> of(RunData data) {
        for (Path dir : data.dirs()) {
            try (BufferedReader r = Files.newBufferedReader(dir.resolve("results.jsonl"))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode m = JSON.readTree(line).path("model");
                    if (!m.path("routing").isTextual()) {
                        return Optional.empty();
                    }
                    return Optional.of(String.format(Locale.ROOT, "%s: %.2fB parameters, %.2fB active per token (%d experts per block, %d per token); routing: %s",
                            m.path("name").asText(), m.path("params").asDouble() / 1e9, m.path("active_params").asDouble() / 1e9,
                            m.path("experts").asInt(), m.path("experts_used").asInt(), m.path("routing").asText()));
                }
            } catch (IOException | RuntimeException e) {
                return Optional.empty(); // the rest of the report stands without this line
            }
        }
        return Optional.empty();
    }
}
