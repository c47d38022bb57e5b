package dev.tierlab.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The run directory of the DESIGN contract. Every file is replaced atomically (written beside,
 * then renamed), and results.jsonl gains a line only when a repeat has finished, so an interrupted
 * run keeps every finished repeat and {@code --resume} finds exactly what is missing.
 */
public final class RunDirectory {

    public static final String RESULTS = "results.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final List<String> resultLines = new ArrayList<>();
    private final Set<String> done = new HashSet<>();
    private final List<JsonNode> nodes = new ArrayList<>();
    private final Map<String, Object> stamp = new java.util.LinkedHashMap<>();

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** Opens a directory, reading the results it already holds (a resumed or merged run). */
    public static RunDirectory open(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("histograms"));
        RunDirectory rd = new RunDirectory(dir);
        Path results = dir.resolve(RESULTS);
        if (Files.exists(results)) {
            for (String line : Files.readAllLines(results)) {
                rd.adopt(line);
            }
        }
        return rd;
    }

    /** Keeps a result line unless it is malformed or a duplicate (point, repeat); call writeResults after. */
    public boolean adoptLine(String line) {
        return adopt(line);
    }

    /** Keeps a result line unless it is malformed or a duplicate (point, repeat). */
    boolean adopt(String line) {
        if (line.isBlank()) {
            return false;
        }
        try {
            JsonNode n = JSON.readTree(line);
            String key = key(n.path("point_id").asText(), n.path("role").asText(""), n.path("repeat").asInt());
            if (n.path("point_id").isMissingNode() || !done.add(key)) {
                return false;
            }
            resultLines.add(line);
            nodes.add(n);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String key(String pointId, String role, int repeat) {
        return pointId + "#" + role + "#" + repeat;
    }

    /** The lines kept so far, parsed. */
    public List<JsonNode> lines() {
        return java.util.Collections.unmodifiableList(nodes);
    }

    public Path path() {
        return dir;
    }

    /** Whether the line of {@code role} ("baseline", "emulated", or "" for lines without a role) and repeat exists. */
    public boolean hasResult(String pointId, String role, int repeat) {
        return done.contains(key(pointId, role, repeat));
    }

    public int resultCount() {
        return resultLines.size();
    }

    /** Adds {@code key: value} to every row this object appends from now on (a worker's id, for one). */
    public void stampRows(String key, Object value) {
        stamp.put(key, value);
    }

    /** Whether the line of this repeat exists and records a failure (a worker crash or deadline, not a measurement). */
    public boolean failed(String pointId, String role, int repeat) {
        String k = key(pointId, role, repeat);
        return done.contains(k) && nodes.stream().anyMatch(n -> isFailure(n) && key(n.path("point_id").asText(),
                n.path("role").asText(""), n.path("repeat").asInt()).equals(k));
    }

    /** Whether a results line records a failed repeat ({@code "status": "failed"}) rather than a measurement. */
    public static boolean isFailure(JsonNode n) {
        return "failed".equals(n.path("status").asText(""));
    }

    /**
     * Appends one finished repeat; the file is rewritten whole and renamed into place, so a failed write
     * (a full disk, a directory made read-only) leaves the previous file, with every earlier repeat, intact.
     */
    public void addResult(Map<String, Object> row) throws IOException {
        if (!stamp.isEmpty()) {
            row = new java.util.LinkedHashMap<>(row);
            row.putAll(stamp);
        }
        String line = JSON.writeValueAsString(row);
        if (adopt(line)) {
            writeResults();
        }
    }

    public void writeResults() throws IOException {
        write(RESULTS, resultLines.isEmpty() ? "" : String.join("\n", resultLines) + "\n");
    }

    public void write(String relative, String content) throws IOException {
        try {
            AtomicFiles.write(dir.resolve(relative), content);
        } catch (ResultWriteException e) {
            throw e;
        } catch (IOException e) {
            throw new ResultWriteException(dir.resolve(relative), e);
        }
    }

    /** The intervals of a histogram log this directory already has (empty if none). */
    public List<Histogram> readHistogramLog(String relative) {
        Path f = dir.resolve(relative);
        List<Histogram> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        try (var in = Files.newInputStream(f)) {
            org.HdrHistogram.HistogramLogReader r = new org.HdrHistogram.HistogramLogReader(in);
            org.HdrHistogram.EncodableHistogram e;
            while ((e = r.nextIntervalHistogram()) != null) {
                if (e instanceof Histogram h) {
                    out.add(h);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a log cut short by a crash: keep the intervals read so far
        }
        return out;
    }

    /** An HdrHistogram interval log with one interval per entry (repeat), in nanoseconds. */
    public void writeHistogramLog(String relative, List<Histogram> intervals, long startMillis) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            HistogramLogWriter w = new HistogramLogWriter(out);
            w.outputComment("tierlab: one interval per repeat; values in nanoseconds");
            w.outputLogFormatVersion();
            w.outputStartTime(startMillis);
            w.setBaseTime(startMillis);
            w.outputLegend();
            for (Histogram h : intervals) {
                w.outputIntervalHistogram(h);
            }
        }
        write(relative, buf.toString(StandardCharsets.UTF_8));
    }
}
