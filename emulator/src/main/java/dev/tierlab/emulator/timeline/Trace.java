package dev.tierlab.emulator.timeline;

import java.util.Arrays;

/**
 * The steps an engine ran in the timed part of a repeat, in order: micro-batches of {@code nTokens[k]}
 * tokens at positions {@code [nPast[k], nPast[k] + nTokens[k])}. A step of one token is a decode step,
 * anything larger is prefill. For a mixture-of-experts model, {@code experts[k][l]} has bit e set when
 * any token of step k routed to expert e in block l (null: no routing known, every expert is read).
 *
 * <p>A batched trace (continuous batching, {@link #batched}) also says which sequences each step
 * carried: {@code seqTokens[k][s]} tokens of its s-th sequence at positions from {@code seqPast[k][s]}.
 * Its {@code nTokens[k]} is their sum and {@code nPast[k]} their largest position; a step is a decode
 * step when every sequence in it has one token. Both are null for a single-sequence trace.
 */
public record Trace(int[] nTokens, int[] nPast, long[][] experts, int[][] seqTokens, int[][] seqPast) {

    public Trace {
        if (nTokens.length != nPast.length) {
            throw new IllegalArgumentException("nTokens and nPast differ in length");
        }
        if (experts != null && experts.length != nTokens.length) {
            throw new IllegalArgumentException("experts has %d steps, the trace %d".formatted(experts.length, nTokens.length));
        }
        if ((seqTokens == null) != (seqPast == null) || seqTokens != null && seqTokens.length != nTokens.length) {
            throw new IllegalArgumentException("seqTokens and seqPast must both be given, one row per step");
        }
        nTokens = nTokens.clone();
        nPast = nPast.clone();
        experts = experts == null ? null : java.util.Arrays.stream(experts).map(long[]::clone).toArray(long[][]::new);
        if (seqTokens != null) {
            int[][] t = new int[seqTokens.length][];
            int[][] p = new int[seqTokens.length][];
            for (int k = 0; k < t.length; k++) {
                if (seqTokens[k].length != seqPast[k].length || seqTokens[k].length == 0) {
                    throw new IllegalArgumentException("step " + k + ": seqTokens and seqPast differ in length or are empty");
                }
                t[k] = seqTokens[k].clone();
                p[k] = seqPast[k].clone();
            }
            seqTokens = t;
            seqPast = p;
        }
    }

    public Trace(int[] nTokens, int[] nPast) {
        this(nTokens, nPast, null, null, null);
    }

    /** A single-sequence trace with the routed experts of each step (null: unknown). */
    public Trace(int[] nTokens, int[] nPast, long[][] experts) {
        this(nTokens, nPast, experts, null, null);
    }

    /** A batched trace without routing. */
    public Trace(int[] nTokens, int[] nPast, int[][] seqTokens, int[][] seqPast) {
        this(nTokens, nPast, null, seqTokens, seqPast);
    }

    /** The same steps with each step's routed experts per block (null: unknown, every expert is read). */
    public Trace withExperts(long[][] routed) {
        return new Trace(nTokens, nPast, routed, seqTokens, seqPast);
    }

    /** Whether the routed experts of each step are known. */
    public boolean hasRouting() {
        return experts != null;
    }

    /** Steps of several sequences each: {@code seqTokens[k][s]} tokens of sequence s at positions from {@code seqPast[k][s]}. */
    public static Trace batched(int[][] seqTokens, int[][] seqPast) {
        int[] t = new int[seqTokens.length];
        int[] p = new int[seqTokens.length];
        for (int k = 0; k < t.length; k++) {
            for (int s = 0; s < seqTokens[k].length; s++) {
                t[k] += seqTokens[k][s];
                p[k] = Math.max(p[k], seqPast[k][s]);
            }
        }
        return new Trace(t, p, null, seqTokens, seqPast);
    }

    /** Sequences in step k (1 in a single-sequence trace). */
    public int sequences(int k) {
        return seqTokens == null ? 1 : seqTokens[k].length;
    }

    /** Tokens of the s-th sequence of step k. */
    public int tokensOf(int k, int s) {
        return seqTokens == null ? nTokens[k] : seqTokens[k][s];
    }

    /** First position of the s-th sequence of step k. */
    public int pastOf(int k, int s) {
        return seqPast == null ? nPast[k] : seqPast[k][s];
    }

    /** The steps llama-bench style repetition runs: prompt in micro-batches of {@code ubatch}, then one step per token. */
    public static Trace of(int nDepth, int nPrompt, int nGen, int ubatch) {
        int prefillSteps = (nPrompt + ubatch - 1) / ubatch;
        int[] t = new int[prefillSteps + nGen];
        int[] p = new int[t.length];
        int pos = nDepth;
        for (int i = 0; i < prefillSteps; i++) {
            t[i] = Math.min(ubatch, nPrompt - i * ubatch);
            p[i] = pos;
            pos += t[i];
        }
        for (int i = 0; i < nGen; i++) {
            t[prefillSteps + i] = 1;
            p[prefillSteps + i] = pos++;
        }
        return new Trace(t, p);
    }

    public int steps() {
        return nTokens.length;
    }

    public boolean isDecode(int k) {
        return seqTokens == null ? nTokens[k] == 1 : nTokens[k] == seqTokens[k].length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Trace t && Arrays.equals(nTokens, t.nTokens) && Arrays.equals(nPast, t.nPast)
                && Arrays.deepEquals(experts, t.experts) && Arrays.deepEquals(seqTokens, t.seqTokens) && Arrays.deepEquals(seqPast, t.seqPast);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(nTokens) + Arrays.hashCode(nPast)) + Arrays.deepHashCode(seqTokens);
    }

    @Override
    public String toString() {
        return "Trace[" + steps() + " steps]";
    }
}
