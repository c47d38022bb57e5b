package dev.tierlab.inference.serving;

/**
 * The duration a serving step takes on the run's clock, from its shape: {@code nSeq} sequences, the
 * s-th with {@code tokens[s]} tokens at positions from {@code past[s]}. {@code hostNanos} is what the
 * step took on this host (the answer itself for {@code reference: host}).
 */
@FunctionalInterface
public interface StepCost {

    long nanos(int step, int nSeq, int[] tokens, int[] past, long hostNanos);

    /** The host's own step time: the wall clock. */
    StepCost HOST = (step, nSeq, tokens, past, hostNanos) -> hostNanos;
}
