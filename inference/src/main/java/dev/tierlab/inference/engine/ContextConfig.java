package dev.tierlab.inference.engine;

import dev.tierlab.inference.gguf.GgmlType;

/**
 * How an engine context is sized and run: context length, logical and physical batch sizes,
 * threads for decode and for batches, and the KV-cache element type.
 */
public record ContextConfig(int nCtx, int nBatch, int nUbatch, int threads, int threadsBatch, GgmlType kvType) {

    public ContextConfig {
        if (nCtx < 1 || nBatch < 1 || nUbatch < 1 || threads < 1 || threadsBatch < 1) {
            throw new IllegalArgumentException("context sizes and thread counts must be positive: " + this);
        }
        if (kvType != GgmlType.F16 && kvType != GgmlType.F32 && kvType != GgmlType.Q8_0 && kvType != GgmlType.Q4_0
                && kvType != GgmlType.BF16) {
            throw new IllegalArgumentException("KV cache type must be f32, f16, bf16, q8_0 or q4_0, got " + kvType);
        }
    }

    /** llama-bench's defaults: n_batch 2048, n_ubatch 512, f16 KV cache. */
    public static ContextConfig defaults(int nCtx, int threads) {
        return new ContextConfig(nCtx, 2048, 512, threads, threads, GgmlType.F16);
    }

    public ContextConfig withThreads(int t) {
        return new ContextConfig(nCtx, nBatch, nUbatch, t, t, kvType);
    }
}
