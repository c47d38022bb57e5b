package dev.tierlab.emulator;

/**
 * An emulation spec (tier, latency, placement) that cannot be used. {@code field} is the dotted path
 * of the offending field, e.g. {@code tiers.flash.read_bandwidth}; the message says what to write.
 */
public final class SpecException extends RuntimeException {
    private final String field;
    private final String reason;

    public SpecException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
        this.reason = message;
    }

    /** What is wrong and what to write, without the field (getMessage() puts the field first). */
    public String reason() {
        return reason;
    }

    public String field() {
        return field;
    }
}
