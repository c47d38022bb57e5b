package dev.tierlab.emulator.tier;

import java.util.Locale;
import java.util.Optional;

/** What kind of memory or storage a tier stands for; reports group and colour by it. */
public enum TierClass {
    HBM, DRAM, CXL, FLASH, SSD, CUSTOM;

    public static Optional<TierClass> parse(String s) {
        try {
            return Optional.of(valueOf(s.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
