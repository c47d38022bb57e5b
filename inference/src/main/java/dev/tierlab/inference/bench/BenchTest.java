package dev.tierlab.inference.bench;

/**
 * One llama-bench test: process {@code nPrompt} prompt tokens and/or generate {@code nGen} tokens,
 * after an untimed prefill of {@code nDepth} tokens that fills the KV cache first.
 */
public record BenchTest(int nPrompt, int nGen, int nDepth) {

    public BenchTest {
        if (nPrompt < 0 || nGen < 0 || nDepth < 0 || nPrompt + nGen == 0) {
            throw new IllegalArgumentException("a test needs prompt or generated tokens: " + this);
        }
    }

    /** llama-bench's test name: pp512, tg128, pp512+tg128, with " @ d1024" for depth. */
    public String label() {
        String base = nGen == 0 ? "pp" + nPrompt : nPrompt == 0 ? "tg" + nGen : "pp" + nPrompt + "+tg" + nGen;
        return nDepth > 0 ? base + " @ d" + nDepth : base;
    }

    public int contextNeeded() {
        return nPrompt + nGen + nDepth;
    }
}
