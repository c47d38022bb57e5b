package dev.tierlab.reports;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tierlab.reports.stats.PairedPower;
import dev.tierlab.reports.stats.PercentileBootstrap;
import dev.tierlab.reports.stats.SampleStats;
import java.util.Arrays;
import java.util.List;

/**
 * How quiet the machine was during a run, and what that lets the run resolve: the memory-bandwidth
 * sentinel (median and 10th-90th percentile spread over repeats, or env.json's summary), the
 * disturbed repeats, the pooled per-pair SD of ln(ratio) and the power to detect a 5% effect at the
 * run's typical number of pairs.
 *
 * @param pairSdLog pooled SD of ln(per-pair ratio) over points (degrees of freedom n - 1 each); for
 *     unpaired runs the pooled per-repeat SD times sqrt(2), the SD an independent pair would have
 * @param typicalPairs the median number of pairs (repeats, unpaired) per point
 * @param powerAt5Pct power of the paired-ratio interval to exclude 1 against a true 5% slowdown
 */
public record NoiseFloor(double sentinelMedianGbps, double sentinelP10Gbps, double sentinelP90Gbps, int sentinelN,
        List<ResultRecord> disturbed, double pairSdLog, boolean paired, int typicalPairs, double powerAt5Pct, Metric metric) {

    public static final double EFFECT = 0.05;

    public static NoiseFloor of(RunData data, List<PointSummary> points) {
        double[] sent = data.records().stream().mapToDouble(r -> r.noise().sentinelGbps()).filter(v -> v > 0).toArray();
        double med = Double.NaN;
        double p10 = Double.NaN;
        double p90 = Double.NaN;
        int n = sent.length;
        if (n > 0) {
            Arrays.sort(sent);
            med = SampleStats.median(sent);
            p10 = PercentileBootstrap.nearestRank(sent, 0.10);
            p90 = PercentileBootstrap.nearestRank(sent, 0.90);
        } else {
            JsonNode env = data.firstEnv();
            if (env != null && env.path("sentinel").path("median_gbps").isNumber()) {
                med = env.path("sentinel").path("median_gbps").asDouble();
                p10 = env.path("sentinel").path("p10_gbps").asDouble(Double.NaN);
                n = env.path("sentinel").path("n").asInt(0);
            }
        }
        List<PointSummary> swept = points.stream().filter(p -> !p.data().baselinePoint()).toList();
        Metric metric = swept.stream().allMatch(p -> p.decode().n() > 0) ? Metric.DECODE : Metric.TG;
        boolean paired = swept.stream().anyMatch(p -> p.data().paired());
        double ss = 0;
        int df = 0;
        for (PointSummary p : swept) {
            var s = p.data().ratioSample(metric);
            if (s == null) {
                continue;
            }
            if (s.paired()) {
                double sd = s.sdLog();
                if (s.n() > 1 && Double.isFinite(sd)) {
                    ss += sd * sd * (s.n() - 1);
                    df += s.n() - 1;
                }
            } else {
                // unpaired: the within-point spread of the emulated repeats' logs
                double[] logs = PointData.values(p.data().emulated(), metric::value);
                if (logs.length > 1) {
                    double sd = SampleStats.of(PercentileBootstrap.logs(logs)).stddev();
                    ss += 2 * sd * sd * (logs.length - 1);
                    df += logs.length - 1;
                }
            }
        }
        double sdLog = df > 0 ? Math.sqrt(ss / df) : Double.NaN;
        int typical = swept.isEmpty() ? 0 : (int) Math.round(SampleStats.median(swept.stream().mapToDouble(PointSummary::n).toArray()));
        double power = Double.isFinite(sdLog) && typical > 0
                ? PairedPower.of(typical, sdLog, 1 - EFFECT, PairedPower.DEFAULT_SIMULATIONS, 20240601L) : Double.NaN;
        return new NoiseFloor(med, p10, p90, n, data.disturbed(), sdLog, paired, typical, power, metric);
    }

    /** A line {@code tierlab merge} left in env.json's {@code merge_notes} (missing shards, shard bases compared). */
    public record MergeNote(String text, boolean warn) {
    }

    /** The merge notes of every env.json the report reads, in order. */
    public static List<MergeNote> mergeNotes(RunData data) {
        List<MergeNote> notes = new java.util.ArrayList<>();
        for (JsonNode env : data.env().values()) {
            for (JsonNode n : env.path("merge_notes")) {
                notes.add(new MergeNote(n.path("text").asText(""), n.path("warn").asBoolean(false)));
            }
        }
        return notes;
    }

    /** "At 8 pairs and the observed per-pair SD of 3.1%, power to detect a 5% effect is 62%." */
    public String powerSentence() {
        if (!Double.isFinite(powerAt5Pct)) {
            return "Power to detect a 5% effect: not available (no repeated pairs).";
        }
        String unit = paired ? "pairs" : "repeats per side (unpaired)";
        return String.format(java.util.Locale.ROOT, "At %d %s and the observed per-pair SD of %.1f%%, power to detect a %.0f%% effect is %.0f%%%s.",
                typicalPairs, unit, 100 * pairSdLog, 100 * EFFECT, 100 * powerAt5Pct,
                typicalPairs < dev.tierlab.reports.stats.RatioEstimate.MIN_N
                        ? " (fewer than " + dev.tierlab.reports.stats.RatioEstimate.MIN_N + " pairs never give a conclusive ratio)" : "");
    }
}
