package dev.tierlab.emulator.access;

import dev.tierlab.emulator.tier.TierClass;
import java.util.Locale;
import java.util.Optional;

/**
 * How the reference accelerator uses bytes on a lower tier.
 * <ul>
 *   <li>{@link #DIRECT}: read in place, as HBF is meant to be used. Reads are issued when the layer
 *       starts and overlap its compute; the layer ends at max(start + compute, data ready), and its
 *       compute counts only the bytes on the top tier.</li>
 *   <li>{@link #STAGED}: copied into the top tier before use (FlexGen, SSD offload). Copies for layer
 *       l + d are issued when layer l starts computing, across step boundaries; the layer computes once
 *       its copies have landed, with all its bytes at top-tier speed.</li>
 * </ul>
 */
public enum AccessMode {
    DIRECT, STAGED;

    public static Optional<AccessMode> parse(String s) {
        try {
            return Optional.of(valueOf(s.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The default when a rule names none: block storage (SSD) is staged, memory-like tiers are read in place. */
    public static AccessMode defaultFor(TierClass c) {
        return c == TierClass.SSD ? STAGED : DIRECT;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
