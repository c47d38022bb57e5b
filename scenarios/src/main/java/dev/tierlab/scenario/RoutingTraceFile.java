package dev.tierlab.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.timeline.RoutingTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A routing trace on disk (docs/scenarios.md, "Routing traces"): JSON with the format tag, what produced it,
 * the expert counts, and per token position the k experts of each block.
 *
 * <pre>{"format": "tierlab-routing/1", "source": "...", "experts": 64, "experts_used": 8, "blocks": 16,
 *  "positions": 2, "routing": [[[3, 17, ...], ...], [[...], ...]]}</pre>
 */
public final class RoutingTraceFile {

    public static final String FORMAT = "tierlab-routing/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RoutingTraceFile() {
    }

    /** Writes {@code t} to {@code out} (through a temporary file, so a crash leaves no half file). */
    public static void write(RoutingTrace t, Path out) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("source", t.source());
        root.put("experts", t.nExpert());
        root.put("experts_used", t.k());
        root.put("blocks", t.layers());
        root.put("positions", t.positions());
        ArrayNode routing = root.putArray("routing");
        for (int[][] pos : t.experts()) {
            ArrayNode p = routing.addArray();
            for (int[] block : pos) {
                ArrayNode b = p.addArray();
                for (int e : block) {
                    b.add(e);
                }
            }
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), root);
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The last trace read, by file, size and modification time: a scenario's sweep points and its run read it once. */
    private static final java.util.Map<String, RoutingTrace> LAST = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, RoutingTrace> eldest) {
            return size() > 2;
        }
    });

    /** Reads a trace; anything wrong is a {@link SpecException} on {@code field} naming the file. */
    public static RoutingTrace read(Path file, String field) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException(field, "no such routing trace " + file + "; record one with 'tierlab model routing'");
        }
        String key;
        try {
            key = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new SpecException(field, "cannot read %s: %s".formatted(file, e.getMessage()));
        }
        RoutingTrace cached = LAST.get(key);
        if (cached != null) {
            return cached;
        }
        RoutingTrace t = parse(file, field);
        LAST.put(key, t);
        return t;
    }

    private static RoutingTrace parse(Path file, String field) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new SpecException(field, "%s is not JSON (line %d): record it with 'tierlab model routing'"
                    .formatted(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr()));
        } catch (IOException e) {
            throw new SpecException(field, "cannot read %s: %s".formatted(file, e.getMessage()));
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new SpecException(field, "%s is not a routing trace (its \"format\" must be \"%s\"); record one with 'tierlab model routing'"
                    .formatted(file, FORMAT));
        }
        int nExpert = integer(root, "experts", file, field);
        int k = integer(root, "experts_used", file, field);
        JsonNode routing = root.path("routing");
        if (!routing.isArray() || routing.isEmpty()) {
            throw new SpecException(field, "%s: \"routing\" must be a non-empty array of positions".formatted(file));
        }
        int[][][] e = new int[routing.size()][][];
        for (int p = 0; p < e.length; p++) {
            JsonNode pos = routing.get(p);
            if (!pos.isArray()) {
                throw new SpecException(field, "%s: routing[%d] must be an array of blocks".formatted(file, p));
            }
            e[p] = new int[pos.size()][];
            for (int l = 0; l < e[p].length; l++) {
                JsonNode b = pos.get(l);
                if (!b.isArray()) {
                    throw new SpecException(field, "%s: routing[%d][%d] must be an array of expert ids".formatted(file, p, l));
                }
                e[p][l] = new int[b.size()];
                for (int j = 0; j < b.size(); j++) {
                    if (!b.get(j).isInt()) {
                        throw new SpecException(field, "%s: routing[%d][%d][%d] is not an expert id".formatted(file, p, l, j));
                    }
                    e[p][l][j] = b.get(j).intValue();
                }
            }
        }
        try {
            return new RoutingTrace(root.path("source").asText("unnamed"), nExpert, k, e);
        } catch (IllegalArgumentException x) {
            throw new SpecException(field, "%s: %s".formatted(file, x.getMessage()));
        }
    }

    private static int integer(JsonNode root, String key, Path file, String field) {
        JsonNode n = root.path(key);
        if (!n.isInt()) {
            throw new SpecException(field, "%s: \"%s\" must be an integer".formatted(file, key));
        }
        return n.intValue();
    }
}
