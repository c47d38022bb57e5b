package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.EngineCounters;
import dev.tierlab.inference.engine.LayerHook;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A llama_context plus the native buffers a generation reuses (token buffer, batch struct), all in
 * one arena closed with the context, so thousands of runs leak nothing. Batches are built as
 * llama_batch_get_one builds them: tokens only, positions continuing from the KV cache.
 */
final class LlamaCppContext implements EngineContext {

    private final LlamaCpp api;
    private final ContextConfig config;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment vocab;
    private final MemorySegment tokens;
    private final MemorySegment batch;
    private final LayerBoundaryCallback callback;
    private final int nVocab;
    private MemorySegment ctx;
    private int position;

    LlamaCppContext(LlamaCpp api, MemorySegment model, int nLayer, ContextConfig config, LayerHook hook) {
        this.api = api;
        this.config = config;
        try {
            MemorySegment params = api.contextDefaultParams(arena);
            LlamaStructs.CP_N_CTX.set(params, config.nCtx());
            LlamaStructs.CP_N_BATCH.set(params, config.nBatch());
            LlamaStructs.CP_N_UBATCH.set(params, config.nUbatch());
            LlamaStructs.CP_N_SEQ_MAX.set(params, 1);
            LlamaStructs.CP_N_THREADS.set(params, config.threads());
            LlamaStructs.CP_N_THREADS_BATCH.set(params, config.threadsBatch());
            LlamaStructs.CP_TYPE_K.set(params, config.kvType().id());
            LlamaStructs.CP_TYPE_V.set(params, config.kvType().id());
            LlamaStructs.CP_NO_PERF.set(params, false);
            if (hook != LayerHook.NONE) {
                callback = new LayerBoundaryCallback(hook, nLayer, arena);
                LlamaStructs.CP_CB_EVAL.set(params, callback.stub());
                LlamaStructs.CP_CB_EVAL_USER_DATA.set(params, MemorySegment.NULL);
            } else {
                callback = null;
            }
            ctx = api.initFromModel(model, params);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp could not create a context with " + config
                        + " (set TIERLAB_LLAMA_LOG=info to see why)");
            }
            vocab = api.modelGetVocab(model);
            nVocab = api.vocabNTokens(vocab);
            tokens = arena.allocate(JAVA_INT, Math.max(config.nBatch(), 1));
            batch = arena.allocate(LlamaStructs.BATCH);
            LlamaStructs.B_TOKEN.set(batch, tokens);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public int[] tokenize(String text, boolean addBos) {
        try (Arena a = Arena.ofConfined()) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment textSeg = a.allocate(utf8.length + 1L);
            MemorySegment.copy(utf8, 0, textSeg, JAVA_BYTE, 0, utf8.length);
            int max = utf8.length + 2;
            MemorySegment out = a.allocate(JAVA_INT, max);
            int n = api.tokenize(vocab, textSeg, utf8.length, out, max, addBos, false);
            if (n < 0) {
                throw new IllegalStateException("llama_tokenize needs " + -n + " tokens, more than " + max);
            }
            return out.asSlice(0, n * 4L).toArray(JAVA_INT);
        }
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
        if (callback != null) {
            callback.beginDecode(position);
        }
        int rc = api.decode(ctx, batch);
        // llama.cpp attributes time to its perf counters at synchronize; llama-bench does the same.
        api.synchronize(ctx);
        if (callback != null) {
            callback.endDecode();
        }
        if (rc != 0) {
            throw new IllegalStateException("llama_decode returned " + rc + " at position " + position
                    + (rc == 1 ? " (no KV cache slot: n_ctx too small)" : ""));
        }
        position += nTokens;
    }

    @Override
    public int greedyToken() {
        MemorySegment logits = api.getLogitsIth(ctx, -1).reinterpret((long) nVocab * Float.BYTES);
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < nVocab; i++) {
            float v = logits.getAtIndex(JAVA_FLOAT, i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    /** The last token's logits, copied out of llama.cpp. */
    float[] logits() {
        return api.getLogitsIth(ctx, -1).reinterpret((long) nVocab * Float.BYTES).toArray(JAVA_FLOAT);
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public void clearKvCache() {
        api.kvSelfClear(ctx);
        position = 0;
    }

    @Override
    public int bosToken() {
        return api.vocabGetAddBos(vocab) ? api.vocabBos(vocab) : -1;
    }

    @Override
    public int vocabularySize() {
        return nVocab;
    }

    @Override
    public EngineCounters counters() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = api.perfContext(a, ctx);
            return new EngineCounters(
                    (double) LlamaStructs.PERF_T_P_EVAL_MS.get(p),
                    (double) LlamaStructs.PERF_T_EVAL_MS.get(p),
                    (int) LlamaStructs.PERF_N_P_EVAL.get(p),
                    (int) LlamaStructs.PERF_N_EVAL.get(p));
        }
    }

    @Override
    public void resetCounters() {
        api.perfContextReset(ctx);
    }

    @Override
    public void close() {
        if (ctx != null && !ctx.equals(MemorySegment.NULL)) {
            api.free(ctx);
        }
        ctx = null;
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
