package dev.tierlab.emulator.units;

import dev.tierlab.emulator.SpecException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human units scenario files use: durations (60us), sizes (4KiB), bandwidths (14GB/s). */
public final class Units {

    private static final Pattern NUMBER_UNIT = Pattern.compile("\\s*([0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*([a-zA-Z/]*)\\s*");

    private Units() {
    }

    /** Nanoseconds from "60us", "2ms", "1.5s", "300ns" (a bare number is nanoseconds). */
    public static double durationNanos(String field, String text) {
        Matcher m = match(field, text, "a duration such as 60us, 2ms or 300ns");
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "ns" -> v;
            case "us", "µs" -> v * 1e3;
            case "ms" -> v * 1e6;
            case "s" -> v * 1e9;
            default -> throw new SpecException(field, "unknown duration unit in '%s'; use ns, us, ms or s".formatted(text));
        };
    }

    /** Bytes from "4KiB", "16KB", "2GiB", "512" (KB = 1000, KiB = 1024). */
    public static long bytes(String field, String text) {
        Matcher m = match(field, text, "a size such as 4KiB, 16KB or 2GiB");
        double v = Double.parseDouble(m.group(1));
        double f = switch (m.group(2)) {
            case "", "B" -> 1;
            case "KB", "kB" -> 1e3;
            case "MB" -> 1e6;
            case "GB" -> 1e9;
            case "TB" -> 1e12;
            case "KiB" -> 1024.0;
            case "MiB" -> 1024.0 * 1024;
            case "GiB" -> 1024.0 * 1024 * 1024;
            case "TiB" -> 1024.0 * 1024 * 1024 * 1024;
            default -> throw new SpecException(field, "unknown size unit in '%s'; use B, KB, KiB, MB, MiB, GB, GiB".formatted(text));
        };
        return Math.round(v * f);
    }

    /** Bytes per second from "14GB/s", "800MB/s", "1.2TB/s", "2GiB/s". */
    public static double bytesPerSecond(String field, String text) {
        String t = text.trim();
        if (!t.endsWith("/s")) {
            throw new SpecException(field, "'%s' is not a bandwidth; write e.g. 14GB/s or 0.25x".formatted(text));
        }
        return bytes(field, t.substring(0, t.length() - 2));
    }

    private static Matcher match(String field, String text, String expected) {
        if (text == null) {
            throw new SpecException(field, "missing; expected " + expected);
        }
        Matcher m = NUMBER_UNIT.matcher(text);
        if (!m.matches()) {
            throw new SpecException(field, "'%s' is not %s".formatted(text, expected));
        }
        return m;
    }

    public static String formatNanos(double ns) {
        if (ns >= 1e9) {
            return String.format(Locale.ROOT, "%.3gs", ns / 1e9);
        }
        if (ns >= 1e6) {
            return String.format(Locale.ROOT, "%.3gms", ns / 1e6);
        }
        if (ns >= 1e3) {
            return String.format(Locale.ROOT, "%.3gus", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.3gns", ns);
    }

    public static String formatBandwidth(double bytesPerSecond) {
        if (bytesPerSecond >= 1e12) {
            return String.format(Locale.ROOT, "%.3gTB/s", bytesPerSecond / 1e12);
        }
        if (bytesPerSecond >= 1e9) {
            return String.format(Locale.ROOT, "%.3gGB/s", bytesPerSecond / 1e9);
        }
        return String.format(Locale.ROOT, "%.3gMB/s", bytesPerSecond / 1e6);
    }

    /** Binary units, as scenarios write them: 16KiB, 1.5GiB. */
    public static String formatBytes(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.3gGiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.3gMiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format(Locale.ROOT, "%.3gKiB", bytes / 1024.0);
        }
        return bytes + "B";
    }
}
