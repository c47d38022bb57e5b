package dev.tierlab.emulator.tier;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.units.Units;

/**
 * A tier's bandwidth: the machine's own memory (not throttled), an absolute rate, or a fraction of
 * the calibrated base bandwidth ("0.25x"), which keeps HBM:flash ratios meaningful on a CPU whose
 * DRAM is far slower than HBM.
 */
public sealed interface Bandwidth {

    /** Bytes per second given the calibrated base; +infinity for {@link Native}. */
    double bytesPerSecond(double baseBytesPerSecond);

    String describe();

    /** The engine's own memory at its own speed: nothing to emulate. */
    record Native() implements Bandwidth {
        public double bytesPerSecond(double base) {
            return Double.POSITIVE_INFINITY;
        }

        public String describe() {
            return "native";
        }
    }

    record Absolute(double bytesPerSecond) implements Bandwidth {
        public double bytesPerSecond(double base) {
            return bytesPerSecond;
        }

        public String describe() {
            return Units.formatBandwidth(bytesPerSecond);
        }
    }

    record Relative(double factor) implements Bandwidth {
        public double bytesPerSecond(double base) {
            return factor * base;
        }

        public String describe() {
            return factor + "x";
        }
    }

    Native NATIVE = new Native();

    /** "native", "14GB/s" or "0.25x"; zero and negative rates are errors. */
    static Bandwidth parse(String field, String text) {
        String t = text.trim();
        if (t.equals("native")) {
            return NATIVE;
        }
        double v;
        Bandwidth b;
        if (t.endsWith("x")) {
            try {
                v = Double.parseDouble(t.substring(0, t.length() - 1));
            } catch (NumberFormatException e) {
                throw new SpecException(field, "'%s' is not a relative bandwidth; write e.g. 0.25x".formatted(text));
            }
            b = new Relative(v);
        } else {
            v = Units.bytesPerSecond(field, t);
            b = new Absolute(v);
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new SpecException(field, "bandwidth must be positive, got '%s'; write e.g. 14GB/s or 0.25x, or 'native'".formatted(text));
        }
        return b;
    }
}
