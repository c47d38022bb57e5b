package dev.tierlab.inference.bench;

import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.inference.engine.EngineCounters;

/**
 * One timed repetition. {@code totalNanos} spans prompt processing and generation as llama-bench
 * times them; {@code decodeNanos[i]} is the i-th generated token's step; {@code ttftNanos} is the
 * time until the first new token's logits exist (the prefill, or the first decode when there is
 * no prompt). {@code emulation} is what the emulator recorded during the repetition, or null.
 */
public record BenchSample(long totalNanos, long prefillNanos, long[] decodeNanos, long ttftNanos, EngineCounters counters,
        LedgerSummary emulation) {

    public long decodeTotalNanos() {
        long s = 0;
        for (long d : decodeNanos) {
            s += d;
        }
        return s;
    }

    public double tokensPerSecond(BenchTest t) {
        return (t.nPrompt() + t.nGen()) * 1e9 / totalNanos;
    }

    public double promptTokensPerSecond(BenchTest t) {
        return prefillNanos > 0 ? t.nPrompt() * 1e9 / prefillNanos : Double.NaN;
    }

    public double genTokensPerSecond(BenchTest t) {
        long d = decodeTotalNanos();
        return d > 0 ? t.nGen() * 1e9 / d : Double.NaN;
    }
}
