package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.tierlab.inference.engine.BatchContext;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.LayerHook;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A llama_context with {@code n_seq_max} sequences sharing one KV cache (b4916's cache is unified:
 * n_ctx cells for all of them), driven with full llama_batch structs: per entry a token, a position,
 * one sequence id and a logits flag. The batch arrays are allocated once, n_batch entries long, in
 * the context's arena, as llama_batch_init would allocate them; nothing is allocated per step.
 */
final class LlamaCppBatchContext implements BatchContext {

    private final LlamaCpp api;
    private final NativeContext nc;
    private final int maxSequences;
    private final int capacity;
    private final MemorySegment batch;
    private final MemorySegment tokens;
    private final MemorySegment pos;
    private final MemorySegment nSeqId;
    private final MemorySegment seqIdPtrs;
    private final MemorySegment seqIds;
    private final MemorySegment logitFlags;
    private int lastN;
    private int defrags;

    /** @param hook sees each step as one micro-batch (position 0: a batch mixes sequences) and, for MoE models, its routing */
    LlamaCppBatchContext(LlamaCpp api, MemorySegment model, int nLayer, ContextConfig config, int maxSequences, LayerHook hook) {
        if (maxSequences < 1) {
            throw new IllegalArgumentException("maxSequences must be >= 1, got " + maxSequences);
        }
        this.api = api;
        this.maxSequences = maxSequences;
        // One ubatch per step, so a step that finds no KV slot has computed nothing and can be retried.
        this.capacity = Math.min(config.nBatch(), config.nUbatch());
        this.nc = new NativeContext(api, model, nLayer, config, maxSequences, hook,
                "a context with " + config + " and " + maxSequences + " sequences");
        try {
            Arena arena = nc.arena;
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
        return nc.tokenize(text, addBos);
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
        int rc = nc.decode(batch, 0);
        long took = System.nanoTime() - t0;
        if (rc == 1 || rc == -3) {
            // b4916 needs n contiguous free KV cells (1: none; -3: "failed to prepare ubatch"); sequences that
            // finished leave holes, so compact the cache and try once more. Nothing ran: one ubatch per step.
            defrags++;
            api.kvSelfDefragNow(nc.handle());
            t0 = System.nanoTime();
            rc = nc.decode(batch, 0);
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
        MemorySegment p = nc.logits(entry);
        if (p.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("llama.cpp has no logits for batch entry " + entry + " (its logits flag was not set)");
        }
        return p;
    }

    @Override
    public int greedyToken(int entry) {
        return NativeContext.argmax(logitsOf(entry), nc.nVocab);
    }

    @Override
    public float topMargin(int entry) {
        return margin(logitsOf(entry), nc.nVocab);
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
        if (!api.kvSelfSeqRm(nc.handle(), seq, -1, -1)) {
            throw new IllegalStateException("llama_kv_self_seq_rm refused to drop sequence " + seq);
        }
    }

    @Override
    public void close() {
        nc.close();
    }
}
