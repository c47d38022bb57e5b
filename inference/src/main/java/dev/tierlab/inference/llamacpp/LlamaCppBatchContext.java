package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.tierlab.inference.engine.BatchContext;
import dev.tierlab.inference.engine.ContextConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A llama_context with {@code n_seq_max} sequences sharing one KV cache (b4916's cache is unified:
 * n_ctx cells for all of them), driven with full llama_batch structs: per entry a token, a position,
 * one sequence id and a logits flag. The batch arrays are allocated once, n_batch entries long, in
 * the context's arena, as llama_batch_init would allocate them; nothing is allocated per step.
 */
final class LlamaCppBatchContext implements BatchContext {

    private final LlamaCpp api;
    private final Arena arena = Arena.ofConfined();
    private final int maxSequences;
    private final int capacity;
    private final MemorySegment vocab;
    private final MemorySegment batch;
    private final MemorySegment tokens;
    private final MemorySegment pos;
    private final MemorySegment nSeqId;
    private final MemorySegment seqIdPtrs;
    private final MemorySegment seqIds;
    private final MemorySegment logitFlags;
    private final int nVocab;
    private MemorySegment ctx;
    private int lastN;
    private int defrags;

    LlamaCppBatchContext(LlamaCpp api, MemorySegment model, ContextConfig config, int maxSequences) {
        if (maxSequences < 1) {
            throw new IllegalArgumentException("maxSequences must be >= 1, got " + maxSequences);
        }
        this.api = api;
        this.maxSequences = maxSequences;
        // One ubatch per step, so a step that finds no KV slot has computed nothing and can be retried.
        this.capacity = Math.min(config.nBatch(), config.nUbatch());
        try {
            MemorySegment params = api.contextDefaultParams(arena);
            LlamaStructs.CP_N_CTX.set(params, config.nCtx());
            LlamaStructs.CP_N_BATCH.set(params, config.nBatch());
            LlamaStructs.CP_N_UBATCH.set(params, config.nUbatch());
            LlamaStructs.CP_N_SEQ_MAX.set(params, maxSequences);
            LlamaStructs.CP_N_THREADS.set(params, config.threads());
            LlamaStructs.CP_N_THREADS_BATCH.set(params, config.threadsBatch());
            LlamaStructs.CP_TYPE_K.set(params, config.kvType().id());
            LlamaStructs.CP_TYPE_V.set(params, config.kvType().id());
            LlamaStructs.CP_NO_PERF.set(params, false);
            ctx = api.initFromModel(model, params);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp could not create a context with " + config + " and "
                        + maxSequences + " sequences (set TIERLAB_LLAMA_LOG=info to see why)");
            }
            vocab = api.modelGetVocab(model);
            nVocab = api.vocabNTokens(vocab);
            batch = arena.allocate(LlamaStructs.BATCH);
            tokens = arena.allocate(JAVA_INT, capacity);
            pos = arena.allocate(JAVA_INT, capacity);
            nSeqId = arena.allocate(JAVA_INT, capacity);
            seqIdPtrs = arena.allocate(ADDRESS, capacity);
            seqIds = arena.allocate(JAVA_INT, capacity);
            logitFlags = arena.allocate(JAVA_BYTE, capacity);
            for (int i = 0; i < capacity; i++) {
                nSeqId.setAtIndex(JAVA_INT, i, 1);
                seqIdPtrs.setAtIndex(ADDRESS, i, seqIds.asSlice(i * 4L, 4));
            }
            LlamaStructs.B_TOKEN.set(batch, tokens);
            LlamaStructs.B_POS.set(batch, pos);
            LlamaStructs.B_N_SEQ_ID.set(batch, nSeqId);
            LlamaStructs.B_SEQ_ID.set(batch, seqIdPtrs);
            LlamaStructs.B_LOGITS.set(batch, logitFlags);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public int maxSequences() {
        return maxSequences;
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
    public long step(int n, int[] tok, int[] seqs, int[] positions, boolean[] logits) {
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException("a batch holds 1 to n_batch = n_ubatch (%d) entries, got %d".formatted(capacity, n));
        }
        for (int i = 0; i < n; i++) {
            if (seqs[i] < 0 || seqs[i] >= maxSequences) {
                throw new IllegalArgumentException("sequence id %d outside [0, %d)".formatted(seqs[i], maxSequences));
            }
            tokens.setAtIndex(JAVA_INT, i, tok[i]);
            pos.setAtIndex(JAVA_INT, i, positions[i]);
            seqIds.setAtIndex(JAVA_INT, i, seqs[i]);
            logitFlags.set(JAVA_BYTE, i, logits[i] ? (byte) 1 : (byte) 0);
        }
        LlamaStructs.B_N_TOKENS.set(batch, n);
        long t0 = System.nanoTime();
        int rc = api.decode(ctx, batch);
        api.synchronize(ctx);
        long took = System.nanoTime() - t0;
        if (rc == 1 || rc == -3) {
            // b4916 needs n contiguous free KV cells (1: none; -3: "failed to prepare ubatch"); sequences that
            // finished leave holes, so compact the cache and try once more. Nothing ran: one ubatch per step.
            defrags++;
            api.kvSelfDefragNow(ctx);
            t0 = System.nanoTime();
            rc = api.decode(ctx, batch);
            api.synchronize(ctx);
            took = System.nanoTime() - t0;
        }
        if (rc != 0) {
            throw new IllegalStateException("llama_decode returned " + rc + " for a batch of " + n + " entries"
                    + (rc == 1 ? " (no KV cache slot: raise the context, which all sequences share)" : ""));
        }
        lastN = n;
        return took;
    }

    private MemorySegment logitsOf(int entry) {
        if (entry < 0 || entry >= lastN) {
            throw new IllegalArgumentException("entry " + entry + " is not in the last batch of " + lastN);
        }
        MemorySegment p = api.getLogitsIth(ctx, entry);
        if (p.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("llama.cpp has no logits for batch entry " + entry + " (its logits flag was not set)");
        }
        return p.reinterpret((long) nVocab * Float.BYTES);
    }

    @Override
    public int greedyToken(int entry) {
        MemorySegment logits = logitsOf(entry);
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
    public float topMargin(int entry) {
        return margin(logitsOf(entry), nVocab);
    }

    /**
     * The highest logit minus the highest logit of a smaller value. Equal values are not near-ties: the
     * synthesized models repeat rows, whose logits stay bit-equal in any batch, and argmax takes the first.
     */
    static float margin(MemorySegment logits, int nVocab) {
        float first = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < nVocab; i++) {
            float v = logits.getAtIndex(JAVA_FLOAT, i);
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second && v < first) {
                second = v;
            }
        }
        return first - second;
    }

    /** How often a step found no contiguous KV slot and the cache was compacted. */
    int defrags() {
        return defrags;
    }

    @Override
    public void removeSequence(int seq) {
        if (!api.kvSelfSeqRm(ctx, seq, -1, -1)) {
            throw new IllegalStateException("llama_kv_self_seq_rm refused to drop sequence " + seq);
        }
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
