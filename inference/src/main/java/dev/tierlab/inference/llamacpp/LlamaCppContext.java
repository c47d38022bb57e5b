package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.EngineCounters;
import dev.tierlab.inference.engine.LayerHook;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A llama_context plus the native buffers a generation reuses (token buffer, batch struct), all in
 * one arena closed with the context, so thousands of runs leak nothing. Batches are built as
 * llama_batch_get_one builds them: tokens only, positions continuing from the KV cache.
 */
final class LlamaCppContext implements EngineContext {

    private final LlamaCpp api;
    private final ContextConfig config;
    private final NativeContext nc;
    private final MemorySegment tokens;
    private final MemorySegment batch;
    private int position;

    LlamaCppContext(LlamaCpp api, MemorySegment model, int nLayer, ContextConfig config, LayerHook hook) {
        this.api = api;
        this.config = config;
        this.nc = new NativeContext(api, model, nLayer, config, 1, hook, "a context with " + config);
        try {
            tokens = nc.arena.allocate(JAVA_INT, Math.max(config.nBatch(), 1));
            batch = nc.arena.allocate(LlamaStructs.BATCH);
            LlamaStructs.B_TOKEN.set(batch, tokens);
        } catch (RuntimeException e) {
            nc.close();
            throw e;
        }
    }

    @Override
    public int[] tokenize(String text, boolean addBos) {
        return nc.tokenize(text, addBos);
    }

    @Override
    public void prefill(int[] prompt) {
        if (position + prompt.length > config.nCtx()) {
            throw new IllegalArgumentException("prompt of %d tokens at position %d exceeds n_ctx %d"
                    .formatted(prompt.length, position, config.nCtx()));
        }
        for (int done = 0; done < prompt.length; ) {
            int n = Math.min(config.nBatch(), prompt.length - done);
            MemorySegment.copy(prompt, done, tokens, JAVA_INT, 0, n);
            run(n);
            done += n;
        }
    }

    @Override
    public void decode(int token) {
        if (position + 1 > config.nCtx()) {
            throw new IllegalArgumentException("position %d exceeds n_ctx %d".formatted(position, config.nCtx()));
        }
        tokens.setAtIndex(JAVA_INT, 0, token);
        run(1);
    }

    private void run(int nTokens) {
        LlamaStructs.B_N_TOKENS.set(batch, nTokens);
        int rc = nc.decode(batch, position);
        if (rc != 0) {
            throw new IllegalStateException("llama_decode returned " + rc + " at position " + position
                    + (rc == 1 ? " (no KV cache slot: n_ctx too small)" : ""));
        }
        position += nTokens;
    }

    @Override
    public int greedyToken() {
        return NativeContext.argmax(nc.logits(-1), nc.nVocab);
    }

    /** The last token's logits, copied out of llama.cpp. */
    float[] logits() {
        return nc.logits(-1).toArray(JAVA_FLOAT);
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public void clearKvCache() {
        api.kvSelfClear(nc.handle());
        position = 0;
    }

    @Override
    public int bosToken() {
        return api.vocabGetAddBos(nc.vocab) ? api.vocabBos(nc.vocab) : -1;
    }

    @Override
    public int vocabularySize() {
        return nc.nVocab;
    }

    @Override
    public EngineCounters counters() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = api.perfContext(a, nc.handle());
            return new EngineCounters(
                    (double) LlamaStructs.PERF_T_P_EVAL_MS.get(p),
                    (double) LlamaStructs.PERF_T_EVAL_MS.get(p),
                    (int) LlamaStructs.PERF_N_P_EVAL.get(p),
                    (int) LlamaStructs.PERF_N_EVAL.get(p));
        }
    }

    @Override
    public void resetCounters() {
        api.perfContextReset(nc.handle());
    }

    @Override
    public void close() {
        nc.close();
    }
}
