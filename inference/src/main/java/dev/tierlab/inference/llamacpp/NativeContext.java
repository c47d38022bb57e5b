package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.LayerHook;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * What a single-sequence and a batched context share: the llama_context made from a {@link ContextConfig}
 * (with the layer hook's eval callback when there is a hook), its vocabulary, tokenization, one
 * llama_decode call with the callback's bookkeeping around it, and logits. Everything native lives in
 * one arena closed with the context.
 */
final class NativeContext implements AutoCloseable {

    final LlamaCpp api;
    final Arena arena = Arena.ofConfined();
    final MemorySegment vocab;
    final int nVocab;
    private final LayerBoundaryCallback callback;
    private MemorySegment ctx;

    /** @param what how an error names the context, e.g. "a context with ... and 4 sequences" */
    NativeContext(LlamaCpp api, MemorySegment model, int nLayer, ContextConfig config, int nSeqMax, LayerHook hook, String what) {
        this.api = api;
        try {
            MemorySegment params = api.contextDefaultParams(arena);
            LlamaStructs.CP_N_CTX.set(params, config.nCtx());
            LlamaStructs.CP_N_BATCH.set(params, config.nBatch());
            LlamaStructs.CP_N_UBATCH.set(params, config.nUbatch());
            LlamaStructs.CP_N_SEQ_MAX.set(params, nSeqMax);
            LlamaStructs.CP_N_THREADS.set(params, config.threads());
            LlamaStructs.CP_N_THREADS_BATCH.set(params, config.threadsBatch());
            LlamaStructs.CP_TYPE_K.set(params, config.kvType().id());
            LlamaStructs.CP_TYPE_V.set(params, config.kvType().id());
            LlamaStructs.CP_NO_PERF.set(params, false);
            if (hook != LayerHook.NONE) {
                callback = new LayerBoundaryCallback(hook, nLayer);
                LlamaStructs.CP_CB_EVAL.set(params, LayerBoundaryCallback.stub());
                LlamaStructs.CP_CB_EVAL_USER_DATA.set(params, callback.userData());
            } else {
                callback = null;
            }
            ctx = api.initFromModel(model, params);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp could not create " + what + " (set TIERLAB_LLAMA_LOG=info to see why)");
            }
            vocab = api.modelGetVocab(model);
            nVocab = api.vocabNTokens(vocab);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    MemorySegment handle() {
        return ctx;
    }

    int[] tokenize(String text, boolean addBos) {
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

    /**
     * One llama_decode of {@code batch}, whose first token sits at KV position {@code position}, waited
     * for (llama.cpp attributes time to its perf counters at synchronize; llama-bench does the same).
     * Returns llama_decode's code; a failure inside the layer hook is rethrown.
     */
    int decode(MemorySegment batch, int position) {
        if (callback != null) {
            callback.beginDecode(position);
        }
        int rc = api.decode(ctx, batch);
        api.synchronize(ctx);
        if (callback != null) {
            callback.endDecode();
        }
        return rc;
    }

    /** The logits of batch entry {@code i} (-1: the last), or NULL when llama.cpp computed none for it. */
    MemorySegment logits(int i) {
        MemorySegment p = api.getLogitsIth(ctx, i);
        return p.equals(MemorySegment.NULL) ? p : p.reinterpret((long) nVocab * Float.BYTES);
    }

    /** The index of the highest value, the first of equals. */
    static int argmax(MemorySegment logits, int nVocab) {
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

    @Override
    public void close() {
        if (ctx != null && !ctx.equals(MemorySegment.NULL)) {
            api.free(ctx);
        }
        ctx = null;
        if (callback != null) {
            callback.release();
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
