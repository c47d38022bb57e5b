package dev.tierlab.emulator.latency;

import dev.tierlab.emulator.SpecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Measured latencies as distributions: HdrHistogram percentile output (.hgrm), HdrHistogram interval
 * logs (.hlog, all intervals added) and fio latency logs (fio --write_lat_log, values in ns).
 */
public final class LatencyFiles {

    private LatencyFiles() {
    }

    /**
     * @param unitNanos nanoseconds per unit of the file's values (.hgrm and .hlog do not record their
     *                  unit: 1000 for microseconds, 1e6 for milliseconds; fio logs are always ns)
     */
    public static LatencyDistribution.Empirical load(String field, Path file, double unitNanos) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException(field, "latency file %s does not exist".formatted(file));
        }
        String name = file.getFileName().toString();
        try {
            if (name.endsWith(".hgrm")) {
                return fromPercentileFile(field, file, unitNanos);
            }
            if (name.endsWith(".hlog")) {
                return fromHistogram(field, readLog(field, file), unitNanos, file.toString());
            }
            if (name.endsWith(".log") || name.endsWith(".csv")) {
                return fromFioLog(field, file);
            }
        } catch (IOException e) {
            throw new SpecException(field, "cannot read %s: %s".formatted(file, e.getMessage()));
        }
        throw new SpecException(field, "unknown latency file type %s; use .hgrm, .hlog or a fio lat log (.log)".formatted(file));
    }

    public static LatencyDistribution.Empirical fromHistogram(String field, Histogram h, double unitNanos, String source) {
        if (h.getTotalCount() == 0) {
            throw new SpecException(field, source + " holds no recorded latencies");
        }
        TreeMap<Long, Long> counts = new TreeMap<>();
        for (var v : h.recordedValues()) {
            counts.merge(Math.round(h.medianEquivalentValue(v.getValueIteratedTo()) * unitNanos), v.getCountAtValueIteratedTo(), Long::sum);
        }
        return fromCounts(counts, source);
    }

    /** A corrupt log (bad base64, a cut or foreign compressed histogram) is a problem with the file, not a crash. */
    private static Histogram readLog(String field, Path file) throws IOException {
        try {
            return sumLog(file);
        } catch (RuntimeException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? "it does not decode" : e.getMessage().lines().findFirst().orElse("");
            throw new SpecException(field, "%s is not a readable HdrHistogram interval log (%s); write it with HistogramLogWriter"
                    .formatted(file, why));
        }
    }

    private static Histogram sumLog(Path file) throws IOException {
        Histogram sum = null;
        try (InputStream in = Files.newInputStream(file)) {
            HistogramLogReader reader = new HistogramLogReader(in);
            EncodableHistogram e;
            while ((e = reader.nextIntervalHistogram()) != null) {
                if (e instanceof Histogram h) {
                    if (sum == null) {
                        sum = new Histogram(h.getNumberOfSignificantValueDigits());
                    }
                    sum.add(h);
                }
            }
        }
        return sum == null ? new Histogram(3) : sum;
    }

    /** HdrHistogram's outputPercentileDistribution: "Value Percentile TotalCount 1/(1-Percentile)" rows. */
    private static LatencyDistribution.Empirical fromPercentileFile(String field, Path file, double unitNanos) throws IOException {
        TreeMap<Long, Long> counts = new TreeMap<>();
        long previousTotal = 0;
        int lineNo = 0;
        for (String line : Files.readAllLines(file)) {
            lineNo++;
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#") || !Character.isDigit(t.charAt(0))) {
                continue;
            }
            String[] cols = t.split("\\s+");
            if (cols.length < 3) {
                continue;
            }
            try {
                long value = Math.round(Double.parseDouble(cols[0]) * unitNanos);
                long total = Long.parseLong(cols[2]);
                if (total > previousTotal) {
                    counts.merge(value, total - previousTotal, Long::sum);
                    previousTotal = total;
                }
            } catch (NumberFormatException e) {
                throw new SpecException(field, "%s line %d: '%s' is not a percentile row".formatted(file, lineNo, t));
            }
        }
        if (counts.isEmpty()) {
            throw new SpecException(field, file + " has no percentile rows (expected HdrHistogram .hgrm output)");
        }
        return fromCounts(counts, file.toString());
    }

    /** fio lat logs: "time_ms, latency_ns, direction, block_size, offset[, priority]" per line. */
    private static LatencyDistribution.Empirical fromFioLog(String field, Path file) throws IOException {
        TreeMap<Long, Long> counts = new TreeMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] cols = line.split(",");
            try {
                counts.merge(Long.parseLong(cols[1].trim()), 1L, Long::sum);
            } catch (RuntimeException e) {
                throw new SpecException(field, "%s line %d: '%s' is not a fio latency log row (time, latency_ns, dir, bs, offset)"
                        .formatted(file, lineNo, line.trim()));
            }
        }
        if (counts.isEmpty()) {
            throw new SpecException(field, file + " is an empty fio latency log");
        }
        return fromCounts(counts, file.toString());
    }

    private static LatencyDistribution.Empirical fromCounts(TreeMap<Long, Long> counts, String source) {
        List<Long> values = new ArrayList<>(counts.keySet());
        long[] v = new long[values.size()];
        long[] cum = new long[values.size()];
        long running = 0;
        int i = 0;
        for (var e : counts.entrySet()) {
            running += e.getValue();
            v[i] = e.getKey();
            cum[i] = running;
            i++;
        }
        return new LatencyDistribution.Empirical(v, cum, source);
    }
}
