package dev.tierlab.inference.engine;

/**
 * What tierlab's own engines (Java, CUDA) share around their forward pass: the KV position, prefill
 * in micro-batches of at most n_ubatch tokens with logits for the last one only, one-token decode,
 * llama.cpp-style counters (a one-token prefill counts as an eval, as llama.cpp counts it), and the
 * last output token's logits on the host.
 */
public abstract class ForwardContext implements EngineContext {

    protected final ContextConfig config;
    /** Tokens in the KV cache: the position of the next token. {@link #forward} advances it. */
    protected int position;
    /** The logits of the last forward that wanted them, one per vocabulary entry; {@link #forward} fills them. */
    protected final float[] logits;
    private long promptNanos;
    private long evalNanos;
    private int promptTokens;
    private int evalTokens;

    protected ForwardContext(ContextConfig config, int nVocab) {
        this.config = config;
        this.logits = new float[nVocab];
    }

    /** One micro-batch: tokens {@code [from, from + n)} at {@link #position}, which it advances by n. */
    protected abstract void forward(int[] tokens, int from, int n, boolean wantLogits);

    /** Tokens per prefill micro-batch. */
    protected int microBatch() {
        return config.nUbatch();
    }

    /** Waits for queued work (a GPU stream) before a call's time is taken. */
    protected void finish() {
    }

    @Override
    public final void prefill(int[] tokens) {
        if (position + tokens.length > config.nCtx()) {
            throw new IllegalArgumentException("prompt of %d tokens at position %d exceeds n_ctx %d".formatted(tokens.length, position, config.nCtx()));
        }
        long t0 = System.nanoTime();
        for (int done = 0; done < tokens.length; ) {
            int n = Math.min(microBatch(), tokens.length - done);
            forward(tokens, done, n, done + n == tokens.length);
            done += n;
        }
        finish();
        if (tokens.length == 1) {
            evalNanos += System.nanoTime() - t0;
            evalTokens++;
        } else {
            promptNanos += System.nanoTime() - t0;
            promptTokens += tokens.length;
        }
    }

    @Override
    public final void decode(int token) {
        if (position + 1 > config.nCtx()) {
            throw new IllegalArgumentException("position %d exceeds n_ctx %d".formatted(position, config.nCtx()));
        }
        long t0 = System.nanoTime();
        forward(new int[] {token}, 0, 1, true);
        finish();
        evalNanos += System.nanoTime() - t0;
        evalTokens++;
    }

    @Override
    public int greedyToken() {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** A copy of the last output token's logits (for checks against another engine). */
    public float[] logits() {
        return logits.clone();
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public void clearKvCache() {
        position = 0;
    }

    @Override
    public EngineCounters counters() {
        return new EngineCounters(promptNanos / 1e6, evalNanos / 1e6, promptTokens, evalTokens);
    }

    @Override
    public void resetCounters() {
        promptNanos = evalNanos = 0;
        promptTokens = evalTokens = 0;
    }
}
