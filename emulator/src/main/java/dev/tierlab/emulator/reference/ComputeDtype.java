package dev.tierlab.emulator.reference;

import java.util.Locale;
import java.util.Optional;

/** The arithmetic a reference accelerator uses for a matrix product; each has its own peak rate. */
public enum ComputeDtype {
    FP32, TF32, FP16, FP8, INT8;

    public static Optional<ComputeDtype> parse(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (t.equals("BF16")) {
            return Optional.of(FP16);
        }
        try {
            return Optional.of(valueOf(t));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
