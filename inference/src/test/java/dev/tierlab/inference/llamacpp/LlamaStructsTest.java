package dev.tierlab.inference.llamacpp;

import static dev.tierlab.inference.llamacpp.LlamaStructs.offsetOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The layouts must match llama.cpp b4916 byte for byte, or every downcall passes garbage. */
class LlamaStructsTest {

    @Test
    void sizesAndOffsetsMatchTheBundledBuild() {
        assertEquals(64, LlamaStructs.MODEL_PARAMS.byteSize());
        assertEquals(8, offsetOf(LlamaStructs.MODEL_PARAMS, "n_gpu_layers"));
        assertEquals(24, offsetOf(LlamaStructs.MODEL_PARAMS, "tensor_split"));
        assertEquals(48, offsetOf(LlamaStructs.MODEL_PARAMS, "kv_overrides"));
        assertEquals(57, offsetOf(LlamaStructs.MODEL_PARAMS, "use_mmap"));
        assertEquals(59, offsetOf(LlamaStructs.MODEL_PARAMS, "check_tensors"));

        assertEquals(120, LlamaStructs.CONTEXT_PARAMS.byteSize());
        assertEquals(16, offsetOf(LlamaStructs.CONTEXT_PARAMS, "n_threads"));
        assertEquals(36, offsetOf(LlamaStructs.CONTEXT_PARAMS, "rope_freq_base"));
        assertEquals(64, offsetOf(LlamaStructs.CONTEXT_PARAMS, "defrag_thold"));
        assertEquals(72, offsetOf(LlamaStructs.CONTEXT_PARAMS, "cb_eval"));
        assertEquals(80, offsetOf(LlamaStructs.CONTEXT_PARAMS, "cb_eval_user_data"));
        assertEquals(88, offsetOf(LlamaStructs.CONTEXT_PARAMS, "type_k"));
        assertEquals(99, offsetOf(LlamaStructs.CONTEXT_PARAMS, "flash_attn"));
        assertEquals(100, offsetOf(LlamaStructs.CONTEXT_PARAMS, "no_perf"));
        assertEquals(104, offsetOf(LlamaStructs.CONTEXT_PARAMS, "abort_callback"));

        assertEquals(56, LlamaStructs.BATCH.byteSize());
        assertEquals(8, offsetOf(LlamaStructs.BATCH, "token"));
        assertEquals(48, offsetOf(LlamaStructs.BATCH, "logits"));

        assertEquals(40, LlamaStructs.PERF_CONTEXT_DATA.byteSize());
        assertEquals(32, offsetOf(LlamaStructs.PERF_CONTEXT_DATA, "n_p_eval"));
    }

    @Test
    void defaultsReadBackThroughTheLayoutsAreLlamaCppsDefaults() {
        LlamaCpp api = LlamaCpp.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mp = api.modelDefaultParams(a);
            assertEquals(0, (int) LlamaStructs.MP_N_GPU_LAYERS.get(mp));
            assertEquals(true, (boolean) LlamaStructs.MP_USE_MMAP.get(mp));
            assertEquals(false, (boolean) LlamaStructs.MP_USE_MLOCK.get(mp));
            assertEquals(false, (boolean) LlamaStructs.MP_VOCAB_ONLY.get(mp));

            MemorySegment cp = api.contextDefaultParams(a);
            assertEquals(512, (int) LlamaStructs.CP_N_CTX.get(cp));
            assertEquals(2048, (int) LlamaStructs.CP_N_BATCH.get(cp));
            assertEquals(512, (int) LlamaStructs.CP_N_UBATCH.get(cp));
            assertEquals(1, (int) LlamaStructs.CP_N_SEQ_MAX.get(cp));
            assertEquals(1, (int) LlamaStructs.CP_TYPE_K.get(cp)); // GGML_TYPE_F16
            assertEquals(1, (int) LlamaStructs.CP_TYPE_V.get(cp));
            assertEquals(true, (boolean) LlamaStructs.CP_OFFLOAD_KQV.get(cp));
            assertEquals(false, (boolean) LlamaStructs.CP_FLASH_ATTN.get(cp));
            assertEquals(true, (boolean) LlamaStructs.CP_NO_PERF.get(cp));
            assertEquals(MemorySegment.NULL, LlamaStructs.CP_CB_EVAL.get(cp));
            assertTrue((int) LlamaStructs.CP_N_THREADS.get(cp) > 0);
            // fields between the named ones: the float block and the yarn_orig_ctx default
            assertEquals(-1f, cp.get(ValueLayout.JAVA_FLOAT, offsetOf(LlamaStructs.CONTEXT_PARAMS, "yarn_ext_factor")));
            assertEquals(32f, cp.get(ValueLayout.JAVA_FLOAT, offsetOf(LlamaStructs.CONTEXT_PARAMS, "yarn_beta_fast")));
            assertEquals(-1f, cp.get(ValueLayout.JAVA_FLOAT, offsetOf(LlamaStructs.CONTEXT_PARAMS, "defrag_thold")));
        }
    }

    @Test
    void systemInfoNamesTheCpuFeatures() {
        assertTrue(LlamaCpp.get().systemInfo().contains("CPU"), LlamaCpp.get().systemInfo());
    }
}
