package dev.tierlab.emulator.ledger;

/**
 * One micro-batch as it ran: {@code nTokens} tokens at position {@code nPast}, its wall duration and
 * the part of it spent stalled on tiers, and the step time the analytical model expected (NaN when
 * no compute profile was given).
 */
public record StepRecord(int nTokens, int nPast, long durationNanos, long stallNanos, double modelledNanos) {

    public boolean isDecode() {
        return nTokens == 1;
    }
}
