package dev.tierlab.emulator.timeline;

import java.util.Arrays;

/**
 * The steps an engine ran in the timed part of a repeat, in order: micro-batches of {@code nTokens[k]}
 * tokens at positions {@code [nPast[k], nPast[k] + nTokens[k])}. A step of one token is a decode step,
 * anything larger is prefill. For a mixture-of-experts model, {@code experts[k][l]} has bit e set when
 * any token of step k routed to expert e in block l (null: no routing known, every expert is read).
 */
public record Trace(int[] nTokens, int[] nPast, long[][] experts) {

    public Trace {
        if (nTokens.length != nPast.length) {
            throw new IllegalArgumentException("nTokens and nPast differ in length");
        }
        if (experts != null && experts.length != nTokens.length) {
            throw new IllegalArgumentException("experts has %d steps, the trace %d".formatted(experts.length, nTokens.length));
        }
        nTokens = nTokens.clone();
        nPast = nPast.clone();
        experts = experts == null ? null : java.util.Arrays.stream(experts).map(long[]::clone).toArray(long[][]::new);
    }

    public Trace(int[] nTokens, int[] nPast) {
        this(nTokens, nPast, null);
    }

    /** Whether the routed experts of each step are known. */
    public boolean hasRouting() {
        return experts != null;
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
        return nTokens[k] == 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Trace t && Arrays.equals(nTokens, t.nTokens) && Arrays.equals(nPast, t.nPast)
                && Arrays.deepEquals(experts, t.experts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(nTokens) + Arrays.hashCode(nPast);
    }

    @Override
    public String toString() {
        return "Trace[" + steps() + " steps]";
    }
}
