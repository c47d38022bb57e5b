package dev.tierlab.emulator.latency;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.units.Units;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link LatencyDistribution} from a scenario's latency block:
 * <pre>
 *   latency: 60us                                   # fixed
 *   latency: {dist: uniform, min: 3us, max: 10us}
 *   latency: {dist: normal, mean: 60us, sd: 5us}
 *   latency: {dist: lognormal, p50: 60us, p99: 250us}      # or p99_over_p50: 4
 *   latency: {dist: empirical, file: ssd.hgrm, unit: us}
 *   latency: {dist: fixed, value: 20us, stalls: {probability: 0.001, extra: 2ms}}
 * </pre>
 */
public final class LatencySpecs {

    /** Every key a latency map may have (docs/scenario.schema.json lists the same). */
    public static final Set<String> KEYS = Set.of("dist", "value", "min", "max", "mean", "sd", "p50", "p99", "p99_over_p50", "file", "unit",
            "stalls");

    private LatencySpecs() {
    }

    public static LatencyDistribution parse(String field, Object spec, Path baseDir) {
        if (spec == null) {
            return LatencyDistribution.ZERO;
        }
        if (spec instanceof String s) {
            return new LatencyDistribution.Fixed(atMostMax(field, Units.durationNanos(field, s), s));
        }
        if (spec instanceof Number n) {
            throw new SpecException(field, "'%s' has no unit; write e.g. %sus or %sns".formatted(n, n, n));
        }
        if (!(spec instanceof Map<?, ?> map)) {
            throw new SpecException(field, "expected a duration (60us) or a map with 'dist'");
        }
        for (Object k : map.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new SpecException(field + "." + k, "unknown key; latency keys are " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        String dist = String.valueOf(map.containsKey("dist") ? map.get("dist") : "fixed");
        LatencyDistribution base = switch (dist) {
            case "fixed" -> new LatencyDistribution.Fixed(duration(field, map, "value"));
            case "uniform" -> {
                double min = duration(field, map, "min");
                double max = duration(field, map, "max");
                if (max < min) {
                    throw new SpecException(field + ".max", "must not be below min");
                }
                yield new LatencyDistribution.Uniform(min, max);
            }
            case "normal" -> new LatencyDistribution.Normal(duration(field, map, "mean"), duration(field, map, "sd"));
            case "lognormal" -> {
                double p50 = duration(field, map, "p50");
                // p99_over_p50 keeps the tail's shape while a sweep moves the median
                double p99 = map.containsKey("p99_over_p50") && !map.containsKey("p99")
                        ? p50 * ratio(field + ".p99_over_p50", map.get("p99_over_p50"))
                        : duration(field, map, "p99");
                if (p50 <= 0 || p99 < p50) {
                    throw new SpecException(field + ".p99", "a lognormal needs 0 < p50 <= p99");
                }
                yield LatencyDistribution.LogNormal.fromPercentiles(p50, p99);
            }
            case "empirical" -> {
                Object file = map.get("file");
                if (file == null) {
                    throw new SpecException(field + ".file", "missing; give an .hgrm, .hlog or fio latency log");
                }
                double unit = map.containsKey("unit") ? Units.durationNanos(field + ".unit", "1" + map.get("unit")) : 1000;
                yield LatencyFiles.load(field + ".file", baseDir.resolve(String.valueOf(file)), unit);
            }
            default -> throw new SpecException(field + ".dist",
                    "unknown distribution '%s'; use fixed, uniform, normal, lognormal or empirical".formatted(dist));
        };
        Object stalls = map.get("stalls");
        if (stalls == null) {
            return base;
        }
        if (!(stalls instanceof Map<?, ?> s) || !s.containsKey("probability") || !s.containsKey("extra")) {
            throw new SpecException(field + ".stalls", "expected {probability: 0.001, extra: 2ms}");
        }
        double p = probability(field + ".stalls.probability", s.get("probability"));
        return LatencyDistribution.Mixture.withStalls(base, p, Units.durationNanos(field + ".stalls.extra", String.valueOf(s.get("extra"))));
    }

    private static double duration(String field, Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            throw new SpecException(field + "." + key, "missing");
        }
        double ns = Units.durationNanos(field + "." + key, String.valueOf(v));
        if (ns < 0) {
            throw new SpecException(field + "." + key, "must not be negative");
        }
        return atMostMax(field + "." + key, ns, v);
    }

    /**
     * The longest per-request latency a scenario may give: a whole second is already beyond any
     * memory or storage device (a disk seek is milliseconds), and inject mode would hold the engine
     * for the dilated time of every such request.
     */
    public static final double MAX_LATENCY_NANOS = 1e9;

    private static double atMostMax(String field, double ns, Object text) {
        if (ns > MAX_LATENCY_NANOS) {
            throw new SpecException(field, "'%s' is longer than 1s; a per-request device latency is ns to ms (e.g. 10us)".formatted(text));
        }
        return ns;
    }

    private static double ratio(String field, Object v) {
        try {
            double r = Double.parseDouble(String.valueOf(v).trim());
            if (r >= 1) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SpecException(field, "'%s' is not a ratio of at least 1 (e.g. 3)".formatted(v));
    }

    /** 0.001, or "0.1%". */
    static double probability(String field, Object v) {
        String s = String.valueOf(v).trim();
        double p;
        try {
            p = s.endsWith("%") ? Double.parseDouble(s.substring(0, s.length() - 1)) / 100 : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new SpecException(field, "'%s' is not a probability; write 0.001 or 0.1%%".formatted(s));
        }
        if (p < 0 || p > 1) {
            throw new SpecException(field, "must be between 0 and 1 (or 0% and 100%)");
        }
        return p;
    }
}
