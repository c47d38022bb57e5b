package dev.tierlab.reports;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sweep axis value as a number for plotting: bandwidths in GB/s, relative bandwidths as a factor,
 * durations in microseconds, sizes in bytes, plain numbers as they are. An axis is numeric when
 * all its values share one unit; otherwise it is categorical (tier names, say).
 */
public record AxisValue(double value, String unit) {

    private static final Pattern NUM = Pattern.compile("\\s*([0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*([a-zA-Z/%µ]*)\\s*");

    public static Optional<AxisValue> parse(String text) {
        Matcher m = NUM.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        double v = Double.parseDouble(m.group(1));
        String u = m.group(2);
        return Optional.ofNullable(switch (u) {
            case "" -> new AxisValue(v, "");
            case "x" -> new AxisValue(v, "x base");
            case "%" -> new AxisValue(v, "%");
            case "ns" -> new AxisValue(v / 1e3, "us");
            case "us", "µs" -> new AxisValue(v, "us");
            case "ms" -> new AxisValue(v * 1e3, "us");
            case "s" -> new AxisValue(v * 1e6, "us");
            case "KB/s" -> new AxisValue(v / 1e6, "GB/s");
            case "MB/s" -> new AxisValue(v / 1e3, "GB/s");
            case "GB/s" -> new AxisValue(v, "GB/s");
            case "TB/s" -> new AxisValue(v * 1e3, "GB/s");
            case "MiB/s" -> new AxisValue(v * 1048576 / 1e9, "GB/s");
            case "GiB/s" -> new AxisValue(v * 1073741824 / 1e9, "GB/s");
            case "KiB", "KB", "MiB", "MB", "GiB", "GB", "B" -> new AxisValue(v * switch (u) {
                case "KiB" -> 1024.0;
                case "KB" -> 1e3;
                case "MiB" -> 1048576.0;
                case "MB" -> 1e6;
                case "GiB" -> 1073741824.0;
                case "GB" -> 1e9;
                default -> 1.0;
            }, "bytes");
            default -> null;
        });
    }

    /** The common unit of all values, or empty when the axis is categorical. */
    public static Optional<String> commonUnit(List<String> values) {
        String unit = null;
        for (String v : values) {
            Optional<AxisValue> a = parse(v);
            if (a.isEmpty() || (unit != null && !unit.equals(a.get().unit()))) {
                return Optional.empty();
            }
            unit = a.get().unit();
        }
        return Optional.ofNullable(unit);
    }

    public static String format(double v, String unit) {
        String num = v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3g", v);
        return unit.isEmpty() ? num : num + " " + unit;
    }
}
