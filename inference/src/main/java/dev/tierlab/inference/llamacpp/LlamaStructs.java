package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * Struct layouts of llama.cpp build b4916 (commit c6af2161) on x86-64, from that build's llama.h
 * and ggml.h. Tests assert their sizes and offsets and read the library's defaults back through them.
 */
final class LlamaStructs {

    private LlamaStructs() {
    }

    static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(
            ADDRESS.withName("devices"),
            JAVA_INT.withName("n_gpu_layers"),
            JAVA_INT.withName("split_mode"),
            JAVA_INT.withName("main_gpu"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("tensor_split"),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"),
            JAVA_BOOLEAN.withName("vocab_only"),
            JAVA_BOOLEAN.withName("use_mmap"),
            JAVA_BOOLEAN.withName("use_mlock"),
            JAVA_BOOLEAN.withName("check_tensors"),
            MemoryLayout.paddingLayout(4)).withName("llama_model_params");

    static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("n_ctx"),
            JAVA_INT.withName("n_batch"),
            JAVA_INT.withName("n_ubatch"),
            JAVA_INT.withName("n_seq_max"),
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_threads_batch"),
            JAVA_INT.withName("rope_scaling_type"),
            JAVA_INT.withName("pooling_type"),
            JAVA_INT.withName("attention_type"),
            JAVA_FLOAT.withName("rope_freq_base"),
            JAVA_FLOAT.withName("rope_freq_scale"),
            JAVA_FLOAT.withName("yarn_ext_factor"),
            JAVA_FLOAT.withName("yarn_attn_factor"),
            JAVA_FLOAT.withName("yarn_beta_fast"),
            JAVA_FLOAT.withName("yarn_beta_slow"),
            JAVA_INT.withName("yarn_orig_ctx"),
            JAVA_FLOAT.withName("defrag_thold"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("cb_eval"),
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("type_k"),
            JAVA_INT.withName("type_v"),
            JAVA_BOOLEAN.withName("logits_all"),
            JAVA_BOOLEAN.withName("embeddings"),
            JAVA_BOOLEAN.withName("offload_kqv"),
            JAVA_BOOLEAN.withName("flash_attn"),
            JAVA_BOOLEAN.withName("no_perf"),
            MemoryLayout.paddingLayout(3),
            ADDRESS.withName("abort_callback"),
            ADDRESS.withName("abort_callback_data")).withName("llama_context_params");

    static final StructLayout BATCH = MemoryLayout.structLayout(
            JAVA_INT.withName("n_tokens"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("token"),
            ADDRESS.withName("embd"),
            ADDRESS.withName("pos"),
            ADDRESS.withName("n_seq_id"),
            ADDRESS.withName("seq_id"),
            ADDRESS.withName("logits")).withName("llama_batch");

    static final StructLayout PERF_CONTEXT_DATA = MemoryLayout.structLayout(
            JAVA_DOUBLE.withName("t_start_ms"),
            JAVA_DOUBLE.withName("t_load_ms"),
            JAVA_DOUBLE.withName("t_p_eval_ms"),
            JAVA_DOUBLE.withName("t_eval_ms"),
            JAVA_INT.withName("n_p_eval"),
            JAVA_INT.withName("n_eval")).withName("llama_perf_context_data");

    /** ggml_tensor field offsets tierlab reads inside the eval callback (ggml.h, 336 bytes). */
    static final long TENSOR_SIZE = 336;
    static final long TENSOR_NE = 16;      // int64_t ne[4]
    static final long TENSOR_NB = 48;      // size_t nb[4]
    static final long TENSOR_VIEW_SRC = 232; // ggml_tensor * view_src
    static final long TENSOR_VIEW_OFFS = 240; // size_t view_offs
    static final long TENSOR_DATA = 248;   // void * data
    static final long TENSOR_NAME = 256;   // char name[64]
    static final int TENSOR_NAME_MAX = 64;

    static final VarHandle MP_N_GPU_LAYERS = handle(MODEL_PARAMS, "n_gpu_layers");
    static final VarHandle MP_USE_MMAP = handle(MODEL_PARAMS, "use_mmap");
    static final VarHandle MP_USE_MLOCK = handle(MODEL_PARAMS, "use_mlock");
    static final VarHandle MP_VOCAB_ONLY = handle(MODEL_PARAMS, "vocab_only");

    static final VarHandle CP_N_CTX = handle(CONTEXT_PARAMS, "n_ctx");
    static final VarHandle CP_N_BATCH = handle(CONTEXT_PARAMS, "n_batch");
    static final VarHandle CP_N_UBATCH = handle(CONTEXT_PARAMS, "n_ubatch");
    static final VarHandle CP_N_SEQ_MAX = handle(CONTEXT_PARAMS, "n_seq_max");
    static final VarHandle CP_N_THREADS = handle(CONTEXT_PARAMS, "n_threads");
    static final VarHandle CP_N_THREADS_BATCH = handle(CONTEXT_PARAMS, "n_threads_batch");
    static final VarHandle CP_CB_EVAL = handle(CONTEXT_PARAMS, "cb_eval");
    static final VarHandle CP_CB_EVAL_USER_DATA = handle(CONTEXT_PARAMS, "cb_eval_user_data");
    static final VarHandle CP_TYPE_K = handle(CONTEXT_PARAMS, "type_k");
    static final VarHandle CP_TYPE_V = handle(CONTEXT_PARAMS, "type_v");
    static final VarHandle CP_OFFLOAD_KQV = handle(CONTEXT_PARAMS, "offload_kqv");
    static final VarHandle CP_FLASH_ATTN = handle(CONTEXT_PARAMS, "flash_attn");
    static final VarHandle CP_NO_PERF = handle(CONTEXT_PARAMS, "no_perf");

    static final VarHandle B_N_TOKENS = handle(BATCH, "n_tokens");
    static final VarHandle B_TOKEN = handle(BATCH, "token");
    static final VarHandle B_POS = handle(BATCH, "pos");
    static final VarHandle B_N_SEQ_ID = handle(BATCH, "n_seq_id");
    static final VarHandle B_SEQ_ID = handle(BATCH, "seq_id");
    static final VarHandle B_LOGITS = handle(BATCH, "logits");

    static final VarHandle PERF_T_P_EVAL_MS = handle(PERF_CONTEXT_DATA, "t_p_eval_ms");
    static final VarHandle PERF_T_EVAL_MS = handle(PERF_CONTEXT_DATA, "t_eval_ms");
    static final VarHandle PERF_N_P_EVAL = handle(PERF_CONTEXT_DATA, "n_p_eval");
    static final VarHandle PERF_N_EVAL = handle(PERF_CONTEXT_DATA, "n_eval");

    static long offsetOf(StructLayout layout, String field) {
        return layout.byteOffset(groupElement(field));
    }

    /** A handle with the base offset bound to 0, so callers write {@code H.get(segment)}. */
    private static VarHandle handle(StructLayout layout, String field) {
        return java.lang.invoke.MethodHandles.insertCoordinates(layout.varHandle(groupElement(field)), 1, 0L);
    }
}
