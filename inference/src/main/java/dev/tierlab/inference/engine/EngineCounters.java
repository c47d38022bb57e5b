package dev.tierlab.inference.engine;

/**
 * An engine's own account of its work, read after a run: llama.cpp's llama_perf_context figures
 * (prompt-eval and eval time and token counts). Reported beside tierlab's timings as a cross-check.
 */
public record EngineCounters(double tPromptEvalMs, double tEvalMs, int nPromptEval, int nEval) {

    public static final EngineCounters NONE = new EngineCounters(0, 0, 0, 0);

    public double promptTokensPerSecond() {
        return tPromptEvalMs > 0 ? nPromptEval * 1000.0 / tPromptEvalMs : Double.NaN;
    }

    public double evalTokensPerSecond() {
        return tEvalMs > 0 ? nEval * 1000.0 / tEvalMs : Double.NaN;
    }
}
