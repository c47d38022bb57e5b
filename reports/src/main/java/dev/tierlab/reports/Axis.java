package dev.tierlab.reports;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A sweep axis and how the report may treat it.
 *
 * <p>Continuous: every value parses to one unit that measures a quantity: a bandwidth ("0.25x" of the
 * base, "1.2TB/s"), a latency ("10us"), a capacity ("64GiB"), a percentage, or a plain number on an
 * axis named as a fraction, ratio or capacity. Only continuous axes are fitted, interpolated and
 * inverted. Everything else is discrete (prefetch depth, booleans, tier or preset names, access
 * modes, counts): each value is its own row or facet, never interpolated.
 *
 * @param unit the common unit ({@link AxisValue}), empty when discrete
 * @param logScale whether charts (and inversion) use a log axis: ratio axes ("x base"), and positive
 *     axes spanning 10x or more
 * @param higherIsBetter +1 when larger values should be faster (bandwidth, capacity), -1 when slower
 *     (latency), 0 when the data must tell
 */
public record Axis(String name, boolean continuous, String unit, boolean logScale, int higherIsBetter) {

    private static final List<String> QUANTITY_UNITS = List.of("x base", "GB/s", "us", "bytes", "%");

    public static Axis classify(String name, List<String> values) {
        Optional<String> unit = AxisValue.commonUnit(values);
        String leaf = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        boolean named = leaf.contains("fraction") || leaf.contains("ratio") || leaf.contains("capacity") || leaf.contains("share");
        boolean continuous = unit.isPresent() && (QUANTITY_UNITS.contains(unit.get()) || (unit.get().isEmpty() && named));
        if (!continuous) {
            return new Axis(name, false, "", false, 0);
        }
        double[] xs = values.stream().mapToDouble(v -> AxisValue.parse(v).orElseThrow().value()).toArray();
        double min = java.util.Arrays.stream(xs).min().orElse(0);
        double max = java.util.Arrays.stream(xs).max().orElse(0);
        boolean log = min > 0 && (unit.get().equals("x base") || max / min >= 10);
        int better = switch (unit.get()) {
            case "GB/s", "x base" -> 1;
            case "us" -> -1;
            case "bytes" -> leaf.contains("capacity") ? 1 : 0;
            default -> 0;
        };
        return new Axis(name, true, unit.get(), log, better);
    }

    /** The numeric value of one of this axis's values. */
    public double value(String text) {
        if (!continuous) {
            throw new IllegalStateException(name + " is discrete");
        }
        return AxisValue.parse(text).orElseThrow(() -> new IllegalArgumentException(name + ": not a value: " + text)).value();
    }

    /** The axis's own scale for interpolation: log for log axes. */
    double scale(double x) {
        return logScale ? Math.log(x) : x;
    }

    double unscale(double s) {
        return logScale ? Math.exp(s) : s;
    }

    /** A value in the axis's unit, as people read it: "0.62x", "12 us", "1.5 GB/s". */
    public String format(double v) {
        if (unit.equals("x base")) {
            return String.format(Locale.ROOT, "%.3gx", v);
        }
        if (unit.equals("bytes")) {
            String[] u = {"B", "KiB", "MiB", "GiB", "TiB"};
            int i = 0;
            double x = v;
            while (Math.abs(x) >= 1024 && i < u.length - 1) {
                x /= 1024;
                i++;
            }
            return String.format(Locale.ROOT, "%.3g %s", x, u[i]);
        }
        return String.format(Locale.ROOT, "%.3g", v) + (unit.isEmpty() ? "" : unit.equals("%") ? "%" : " " + unit);
    }

    /** Axis title for charts: the name and its unit. */
    public String title() {
        return name + (unit.isEmpty() ? "" : " (" + (unit.equals("x base") ? "x base, log scale" : unit + (logScale ? ", log scale" : "")) + ")");
    }
}
