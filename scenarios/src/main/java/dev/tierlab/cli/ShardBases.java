package dev.tierlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the shards of one run were measured on comparable hosts: per shard env.json, the
 * memory-bandwidth sentinel's median, the calibrated base bandwidth and the host DRAM bandwidth that
 * relative tier bandwidths multiply. A base whose largest and smallest shard values are further apart
 * than a tolerance (max / min - 1) is said by merge, on its output and in the merged report.
 * Reference-time figures come from the reference timeline and do not depend on the host; measured
 * host figures do, and ratios only as far as dilation cancels the difference.
 */
final class ShardBases {

    /**
     * 20%: one host's sentinel spreads up to 40% across five probes (docs/noise.md), so a much tighter
     * bound would flag shards of identical nodes; the sentinel marks a repeat disturbed at 25% under its run.
     */
    static final double DEFAULT_TOLERANCE = 0.20;

    /** One base: where env.json keeps it, its scale to GB/s, and what a spread between shards means. */
    private record Base(String key, String description, String parent, String field, double toGbps, String consequence) {
    }

    private static final List<Base> BASES = List.of(
            new Base("sentinel_median_gbps", "Memory-bandwidth sentinel medians", "sentinel", "median_gbps", 1,
                    "the shards' hosts streamed memory at different speeds, so measured host figures of points on different shards "
                            + "are not comparable and measured ratios only as far as dilation cancels the difference; "
                            + "reference-time figures do not depend on the host"),
            new Base("calibration_base_gbps", "Calibrated base bandwidths", "calibration", "base_bytes_per_s", 1e-9,
                    "the shards' nodes were calibrated at different speeds ('tierlab calibrate' on each node type); "
                            + "reference-time figures do not depend on it"),
            new Base("host_dram_gbps", "Host DRAM bases", "bases", "host_dram_bytes_per_second", 1e-9,
                    "relative tier bandwidths (such as 0.5x) of reference: host and copy mode meant different absolute rates on "
                            + "different shards; compare such points within a shard, or run the study on one node type"));

    /** One base compared over the shards that recorded it. */
    record Check(String key, Map<String, Double> gbpsByShard, double spread, boolean apart, String text) {
    }

    private ShardBases() {
    }

    /**
     * @param envs each shard's env.json, in merge order
     * @param labels each shard's name in messages ("shard 1/2 on node7")
     * @param tolerance the largest max / min - 1 that passes
     * @return one check per base that at least two shards recorded
     */
    static List<Check> check(List<JsonNode> envs, List<String> labels, double tolerance) {
        if (envs.size() != labels.size()) {
            throw new IllegalArgumentException("envs and labels differ in length: " + envs.size() + " vs " + labels.size());
        }
        List<Check> checks = new ArrayList<>();
        for (Base b : BASES) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (int i = 0; i < envs.size(); i++) {
                JsonNode v = envs.get(i).path(b.parent()).path(b.field());
                if (v.isNumber() && v.asDouble() > 0) {
                    values.put(labels.get(i), v.asDouble() * b.toGbps());
                }
            }
            if (values.size() < 2) {
                continue;
            }
            double min = values.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double max = values.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double spread = max / min - 1;
            boolean apart = spread > tolerance;
            String text = apart
                    ? "%s differ by %s between shards (%s), more than %s: %s.".formatted(b.description(), pct(spread), list(values), pct(tolerance),
                            b.consequence())
                    : "%s agree within %s between shards (%s apart; %s).".formatted(b.description(), pct(tolerance), pct(spread), list(values));
            checks.add(new Check(b.key(), values, spread, apart, text));
        }
        return checks;
    }

    private static String list(Map<String, Double> values) {
        List<String> parts = new ArrayList<>();
        values.forEach((shard, gbps) -> parts.add(String.format(Locale.ROOT, "%s: %.2f GB/s", shard, gbps)));
        return String.join(", ", parts);
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }
}
