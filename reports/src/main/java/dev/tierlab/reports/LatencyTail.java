package dev.tierlab.reports;

import dev.tierlab.reports.stats.TailPercentile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogReader;

/**
 * Host per-token decode times of one side of a point (its emulated or its baseline repeats), pooled
 * over repeats. From the lines' decode_ms arrays (v2); for v1 lines, which have none, from the run's
 * histograms/NNN-itl.hlog (nanoseconds) of the point.
 */
public record LatencyTail(double[] samplesMs) {

    /** Percentiles the reports print. */
    public static final double[] QUANTILES = {0.50, 0.99, 0.999};

    public static final LatencyTail EMPTY = new LatencyTail(new double[0]);

    public int n() {
        return samplesMs.length;
    }

    public TailPercentile percentile(double q) {
        return TailPercentile.of(samplesMs, q);
    }

    /** The pooled decode_ms of the given lines. */
    public static LatencyTail of(List<ResultRecord> lines) {
        return new LatencyTail(lines.stream().flatMapToDouble(r -> java.util.Arrays.stream(r.host().decodeMs())).toArray());
    }

    /** Both sides of a point. */
    public record Sides(LatencyTail baseline, LatencyTail emulated) {
    }

    /** Per point id, the baseline and emulated tails. */
    public static Map<String, Sides> collect(RunData data, List<PointData> points) {
        Map<String, Sides> out = new LinkedHashMap<>();
        Map<String, LatencyTail> v1Baselines = new LinkedHashMap<>();
        for (PointData p : points) {
            if (p.baselinePoint()) {
                v1Baselines.put(p.workloadKey(), fromHlog(data.dirs(), p.pointIndex()));
            }
        }
        for (PointData p : points) {
            boolean v2 = p.emulated().stream().anyMatch(ResultRecord::v2) || p.baseline().stream().anyMatch(ResultRecord::v2);
            if (v2) {
                out.put(p.pointId(), new Sides(of(p.baseline()), of(p.emulated())));
            } else if (p.baselinePoint()) {
                LatencyTail b = v1Baselines.get(p.workloadKey());
                out.put(p.pointId(), new Sides(b, EMPTY));
            } else {
                out.put(p.pointId(), new Sides(v1Baselines.getOrDefault(p.workloadKey(), EMPTY), fromHlog(data.dirs(), p.pointIndex())));
            }
        }
        return out;
    }

    static LatencyTail fromHlog(List<Path> dirs, int pointIndex) {
        Histogram h = readLog(dirs, "%03d-itl.hlog".formatted(pointIndex));
        if (h == null) {
            return EMPTY;
        }
        List<Double> v = new ArrayList<>();
        for (HistogramIterationValue x : h.recordedValues()) {
            double ms = x.getValueIteratedTo() / 1e6;
            for (long c = 0; c < x.getCountAddedInThisIterationStep() && v.size() < 5_000_000; c++) {
                v.add(ms);
            }
        }
        return new LatencyTail(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** All intervals of a histogram log, from whichever run directory has it; null when none has. */
    static Histogram readLog(List<Path> dirs, String name) {
        for (Path d : dirs) {
            Path f = d.resolve("histograms").resolve(name);
            if (!Files.exists(f)) {
                continue;
            }
            Histogram sum = new Histogram(3);
            try (InputStream in = Files.newInputStream(f)) {
                HistogramLogReader r = new HistogramLogReader(in);
                EncodableHistogram e;
                while ((e = r.nextIntervalHistogram()) != null) {
                    if (e instanceof Histogram hh) {
                        sum.add(hh);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return sum;
        }
        return null;
    }

    /** An HdrHistogram of the samples (nanoseconds, 3 significant digits). */
    public Histogram histogram() {
        Histogram h = new Histogram(3);
        for (double ms : samplesMs) {
            h.recordValue(Math.max(1, Math.round(ms * 1e6)));
        }
        return h;
    }
}
