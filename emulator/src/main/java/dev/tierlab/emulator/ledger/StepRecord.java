package dev.tierlab.emulator.ledger;

/**
 * One micro-batch as it ran: {@code nTokens} tokens at position {@code nPast}, its wall duration and
 * the part of it spent stalled on tiers, and the step time the analytical model expected (NaN when
 * no compute profile was given). For a mixture-of-experts model, {@code experts[l]} has bit e set when
 * a token of the step routed to expert e in block l (null: dense, or routing unknown).
 */
public record StepRecord(int nTokens, int nPast, long durationNanos, long stallNanos, double modelledNanos, long[] experts) {

    public StepRecord(int nTokens, int nPast, long durationNanos, long stallNanos, double modelledNanos) {
        this(nTokens, nPast, durationNanos, stallNanos, modelledNanos, null);
    }

    public boolean isDecode() {
        return nTokens == 1;
    }

    /** The same step with the analytical model's duration filled in. */
    public StepRecord withModelled(double nanos) {
        return new StepRecord(nTokens, nPast, durationNanos, stallNanos, nanos, experts);
    }
}
