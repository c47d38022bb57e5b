package dev.tierlab.inference.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.gguf.GgufValue;
import dev.tierlab.inference.gguf.GgufWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PresetsTest {

    @ParameterizedTest
    @ValueSource(strings = {"qwen2.5-0.5b", "llama-3.2-1b", "qwen2.5-3b", "llama-3.1-8b", "llama-3.1-405b"})
    void parameterCountMatchesThePublishedCountWithinOnePercent(String name) {
        ModelPreset p = Presets.byName(name).orElseThrow();
        double error = Math.abs(p.architecturalParams() - p.publishedParams()) / (double) p.publishedParams();
        assertTrue(error < 0.01, "%s: %d vs published %d".formatted(name, p.architecturalParams(), p.publishedParams()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"olmoe-1b-7b", "qwen1.5-moe-a2.7b", "mixtral-8x7b"})
    void moeTotalAndActiveParametersMatchThePublishedCountsWithinTwoPercent(String name) {
        ModelPreset p = Presets.byName(name).orElseThrow();
        double total = Math.abs(p.architecturalParams() - p.publishedParams()) / (double) p.publishedParams();
        double active = Math.abs(p.activeParams() - p.moe().publishedActiveParams()) / (double) p.moe().publishedActiveParams();
        assertTrue(total < 0.02, "%s total: %,d vs published %,d".formatted(name, p.architecturalParams(), p.publishedParams()));
        assertTrue(active < 0.02, "%s active: %,d vs published %,d".formatted(name, p.activeParams(), p.moe().publishedActiveParams()));
        long inFile = ModelLayout.tensors(p).stream().mapToLong(TensorSpec::elements).sum();
        assertEquals(p.architecturalParams(), inFile, "the layout holds exactly the counted parameters");
        assertEquals(GgmlType.F32, typesOf(SyntheticModel.plan(p, QuantMix.Q4_K_M).tensors()).get("blk.0.ffn_gate_inp.weight"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "small", "qwen2.5-0.5b", "llama-3.2-1b", "qwen2.5-3b", "llama-3.1-8b", "deepseek-v2-lite"})
    void layoutHoldsExactlyTheArchitecturesParameters(String name) {
        ModelPreset p = Presets.byName(name).orElseThrow();
        long inFile = ModelLayout.tensors(p).stream().mapToLong(TensorSpec::elements).sum();
        long duplicatedOutput = p.tiedEmbeddings() && p.ggufSeparateOutput() ? (long) p.nEmbd() * p.nVocab() : 0;
        assertEquals(p.architecturalParams() + duplicatedOutput, inFile);
    }

    /**
     * DeepSeek-V2-Lite publishes 15.7B total and 2.4B active parameters. The total is held to 2% as the other
     * presets' are, counted by {@link ModelInfo} over the planned file's tensor table (nothing written).
     * DeepSeek's active figure leaves the token-embedding table out (a token reads one row of it): counted so
     * the preset has 2.451B, 2.1% over the two-figure 2.4B, held here to 2.5%. Counted as {@code model inspect}
     * counts (every tensor whole but the unchosen experts, as the other presets' publishers count) it is 2.661B.
     */
    @Test
    void deepseekV2LiteTotalAndActiveParametersMatchThePublishedCounts() {
        ModelPreset p = Presets.byName("deepseek-v2-lite").orElseThrow();
        ModelInfo info = plannedInfo(p, QuantMix.Q4_K_M);
        double total = Math.abs(info.params() - p.publishedParams()) / (double) p.publishedParams();
        assertTrue(total < 0.02, "total: %,d vs published %,d".formatted(info.params(), p.publishedParams()));
        assertEquals(p.architecturalParams(), info.params());
        assertEquals(p.activeParams(), info.activeParams());
        long embeddingTable = (long) p.nEmbd() * p.nVocab();
        long activeAsDeepSeekCounts = info.activeParams() - embeddingTable + p.nEmbd();
        double active = Math.abs(activeAsDeepSeekCounts - p.moe().publishedActiveParams()) / (double) p.moe().publishedActiveParams();
        System.out.printf("deepseek-v2-lite: total %,d (%.2f%%), active %,d as model inspect counts, %,d without the embedding"
                + " table (%.2f%% from %,d)%n", info.params(), 100 * total, info.activeParams(), activeAsDeepSeekCounts, 100 * active,
                p.moe().publishedActiveParams());
        assertTrue(active < 0.025, "active without the embedding table: %,d vs published %,d".formatted(activeAsDeepSeekCounts,
                p.moe().publishedActiveParams()));
    }

    @Test
    void deepseekV2LiteHasLlamaCppsDeepseek2Tensors() {
        ModelPreset p = Presets.byName("deepseek-v2-lite").orElseThrow();
        GgufWriter plan = SyntheticModel.plan(p, QuantMix.Q4_K_M);
        Map<String, List<Long>> shapes = plan.tensors().stream().collect(Collectors.toMap(GgufTensorInfo::name,
                t -> java.util.Arrays.stream(t.dims()).boxed().toList()));
        assertEquals(List.of(2048L, 3072L), shapes.get("blk.0.attn_q.weight"), "16 heads x (128 + 64 rotary)");
        assertEquals(List.of(2048L, 576L), shapes.get("blk.0.attn_kv_a_mqa.weight"), "latent 512 + shared rotary key 64");
        assertEquals(List.of(512L), shapes.get("blk.0.attn_kv_a_norm.weight"));
        assertEquals(List.of(512L, 4096L), shapes.get("blk.0.attn_kv_b.weight"), "16 heads x (128 nope key + 128 value)");
        assertEquals(List.of(2048L, 2048L), shapes.get("blk.0.attn_output.weight"));
        assertFalse(shapes.containsKey("blk.0.attn_k.weight"));
        assertFalse(shapes.containsKey("blk.0.attn_q_a.weight"));
        // Block 0 is dense (first_k_dense_replace 1); the 26 after it are mixture-of-experts blocks.
        assertEquals(List.of(2048L, 10944L), shapes.get("blk.0.ffn_gate.weight"));
        assertFalse(shapes.containsKey("blk.0.ffn_gate_inp.weight"));
        assertFalse(shapes.containsKey("blk.0.ffn_up_exps.weight"));
        assertEquals(List.of(2048L, 1408L, 64L), shapes.get("blk.1.ffn_up_exps.weight"));
        assertEquals(List.of(2048L, 2816L), shapes.get("blk.26.ffn_up_shexp.weight"), "2 shared experts of 1408");
        assertFalse(shapes.containsKey("blk.1.ffn_gate_inp_shexp.weight"), "deepseek2's shared experts have no gate");
        assertFalse(shapes.containsKey("blk.1.ffn_gate.weight"));
        assertTrue(shapes.containsKey("output.weight"), "untied");
        Map<String, GgmlType> types = typesOf(plan.tensors());
        assertEquals(GgmlType.F32, types.get("blk.1.ffn_gate_inp.weight"));
        assertEquals(GgmlType.Q5_0, types.get("blk.3.ffn_down_exps.weight"), "1408 = 5.5 x 256: Q4_K falls back as llama.cpp's does");
        assertEquals(TensorClass.ATTN, TensorClass.of("blk.1.attn_kv_b.weight"));
        assertEquals(TensorClass.FFN_EXPERTS, TensorClass.of("blk.1.ffn_down_shexp.weight"));
        assertEquals(TensorClass.FFN, TensorClass.of("blk.0.ffn_down.weight"));

        Map<String, GgufValue> kv = plan.metadata();
        assertEquals(1, kv.get("deepseek2.leading_dense_block_count").asLong());
        assertEquals(2, kv.get("deepseek2.expert_shared_count").asLong());
        assertEquals(1408, kv.get("deepseek2.expert_feed_forward_length").asLong());
        assertEquals(512, kv.get("deepseek2.attention.kv_lora_rank").asLong());
        assertFalse(kv.containsKey("deepseek2.attention.q_lora_rank"), "V2-Lite has no low-rank query");
        assertEquals(192, kv.get("deepseek2.attention.key_length").asLong());
        assertEquals(128, kv.get("deepseek2.attention.value_length").asLong());
        assertEquals(64, kv.get("deepseek2.rope.dimension_count").asLong());
        // b4916 caches keys and values expanded: 16 x (192 + 128) f16 elements per token and layer.
        assertEquals(16L * (192 + 128) * 2, plannedInfo(p, QuantMix.F16).kvBytesPerTokenPerLayer(GgmlType.F16));
        assertTrue(SyntheticModel.zeroedForRouting("blk.0.ffn_down.weight"), "the dense block must not move the residual either");
    }

    /**
     * b4916 takes a deepseek2 model for V2-Lite (plain attn_q) only at 27 blocks, so a slice of another depth
     * gets a low-rank query of about the same size; its parameters per block stay within 0.3% of the full model's.
     */
    @Test
    void deepseekSliceGetsALowRankQueryLlamaCppLoads() {
        ModelPreset full = Presets.byName("deepseek-v2-lite").orElseThrow();
        ModelPreset slice = full.withLayers(3);
        assertEquals(1280, slice.mla().qLoraRank());
        Map<String, GgufValue> kv = SyntheticModel.plan(slice, QuantMix.Q4_K_M).metadata();
        assertEquals(1280, kv.get("deepseek2.attention.q_lora_rank").asLong());
        Map<String, long[]> shapes = ModelLayout.tensors(slice).stream().collect(Collectors.toMap(TensorSpec::name, TensorSpec::dims));
        assertFalse(shapes.containsKey("blk.0.attn_q.weight"));
        assertEquals(List.of(2048L, 1280L), java.util.Arrays.stream(shapes.get("blk.0.attn_q_a.weight")).boxed().toList());
        assertEquals(List.of(1280L, 3072L), java.util.Arrays.stream(shapes.get("blk.2.attn_q_b.weight")).boxed().toList());
        assertEquals(0, full.withLayers(27).mla().qLoraRank());
        long blockFull = ModelLayout.tensors(full).stream().filter(t -> t.layer() == 1).mapToLong(TensorSpec::elements).sum();
        long blockSlice = ModelLayout.tensors(slice).stream().filter(t -> t.layer() == 1).mapToLong(TensorSpec::elements).sum();
        System.out.printf("deepseek-v2-lite block 1: %,d parameters, %,d in a 3-block slice%n", blockFull, blockSlice);
        assertEquals(1.0, blockSlice / (double) blockFull, 0.003);
        assertThrows(IllegalArgumentException.class, () -> new ModelPreset("x", "deepseek2", 2048, 3, 16, 16, 192, 10944, 102400, 4096,
                10000f, 1e-6f, false, false, false, false, 0, "x", full.moe(), full.mla()), "27 blocks or a low-rank query");
    }

    /** The model as {@link ModelInfo} reads it from a synthesized file, from the plan alone (no 15 GB written). */
    static ModelInfo plannedInfo(ModelPreset p, QuantMix mix) {
        GgufWriter plan = SyntheticModel.plan(p, mix);
        List<GgufTensorInfo> t = plan.tensors();
        long params = t.stream().mapToLong(GgufTensorInfo::elementCount).sum();
        long bytes = t.stream().mapToLong(GgufTensorInfo::byteSize).sum();
        Map<String, GgufValue> kv = plan.metadata();
        String a = p.architecture();
        return new ModelInfo(p.name(), a, p.nLayer(), p.nEmbd(), p.nHead(), p.nHeadKv(), (int) kv.get(a + ".attention.key_length").asLong(),
                p.nFf(), p.nVocab(), p.contextLength(), params, bytes, plan.plannedFileSize(), mix.label(), t,
                (int) kv.get(a + ".expert_count").asLong(), (int) kv.get(a + ".expert_used_count").asLong(), "",
                (int) kv.get(a + ".attention.value_length").asLong());
    }

    @Test
    void qwen3bQ4KMMatchesTheReleasedFileSizeWithinThreePercent() {
        // Qwen/Qwen2.5-3B-Instruct-GGUF qwen2.5-3b-instruct-q4_k_m.gguf: about 1.95 GiB.
        GgufWriter plan = SyntheticModel.plan(Presets.byName("qwen2.5-3b").orElseThrow(), QuantMix.Q4_K_M);
        double gib = plan.plannedFileSize() / (double) (1L << 30);
        assertEquals(1.95, gib, 1.95 * 0.03, "planned size " + gib + " GiB");
    }

    @Test
    void q4KMFollowsLlamaCppsMix() {
        ModelPreset p = Presets.byName("llama-3.1-8b").orElseThrow();
        Map<String, GgmlType> types = typesOf(SyntheticModel.plan(p, QuantMix.Q4_K_M).tensors());
        assertEquals(GgmlType.Q6_K, types.get("output.weight"));
        assertEquals(GgmlType.Q4_K, types.get("token_embd.weight"));
        assertEquals(GgmlType.F32, types.get("blk.0.attn_norm.weight"));
        assertEquals(GgmlType.Q4_K, types.get("blk.0.attn_q.weight"));
        // use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2
        assertEquals(GgmlType.Q6_K, types.get("blk.0.attn_v.weight"));
        assertEquals(GgmlType.Q6_K, types.get("blk.6.ffn_down.weight"));
        assertEquals(GgmlType.Q4_K, types.get("blk.5.ffn_down.weight"));
        assertEquals(GgmlType.Q4_K, types.get("blk.5.attn_v.weight"));
        assertEquals(GgmlType.Q6_K, types.get("blk.31.ffn_down.weight"));
        assertEquals(GgmlType.Q4_K, types.get("blk.10.ffn_gate.weight"));
    }

    @Test
    void rowsThatAreNotWholeSuperBlocksFallBackAsLlamaCppDoes() {
        // Qwen2.5-0.5B has n_embd 896 = 3.5 x 256: Q4_K -> Q5_0, Q6_K -> Q8_0, output -> Q8_0.
        ModelPreset p = Presets.byName("qwen2.5-0.5b").orElseThrow();
        Map<String, GgmlType> types = typesOf(SyntheticModel.plan(p, QuantMix.Q4_K_M).tensors());
        assertEquals(GgmlType.Q8_0, types.get("output.weight"));
        assertEquals(GgmlType.Q5_0, types.get("blk.3.attn_q.weight"));
        assertEquals(GgmlType.Q8_0, types.get("blk.0.attn_v.weight"));
        assertEquals(GgmlType.Q4_K, types.get("blk.3.ffn_down.weight")); // n_ff 4864 = 19 x 256
        assertEquals(GgmlType.F32, types.get("blk.3.attn_q.bias"));
    }

    @Test
    void tiedModelsWithoutAnOutputTensorQuantizeTheEmbeddingsAsOutput() {
        ModelPreset p = Presets.byName("llama-3.2-1b").orElseThrow();
        List<GgufTensorInfo> tensors = SyntheticModel.plan(p, QuantMix.Q4_0).tensors();
        Map<String, GgmlType> types = typesOf(tensors);
        assertFalse(types.containsKey("output.weight"));
        assertEquals(GgmlType.Q6_K, types.get("token_embd.weight"));
        assertEquals(GgmlType.Q4_0, types.get("blk.0.ffn_up.weight"));
        assertEquals(GgmlType.F32, types.get("rope_freqs.weight"));
    }

    @Test
    void layersOverrideKeepsShapes() {
        ModelPreset p = Presets.byName("llama-3.1-8b").orElseThrow().withLayers(2);
        List<TensorSpec> t = ModelLayout.tensors(p);
        assertEquals(2, t.stream().mapToInt(TensorSpec::layer).max().orElseThrow() + 1);
        assertEquals(TensorClass.FFN, TensorClass.of("blk.1.ffn_down.weight"));
        assertEquals(TensorClass.ATTN, TensorClass.of("blk.1.attn_v.weight"));
        assertEquals(TensorClass.FFN_EXPERTS, TensorClass.of("blk.1.ffn_up_exps.weight"));
        assertEquals(TensorClass.EMBEDDINGS, TensorClass.of("token_embd.weight"));
        assertEquals(TensorClass.OUTPUT, TensorClass.of("output_norm.weight"));
    }

    private static Map<String, GgmlType> typesOf(List<GgufTensorInfo> tensors) {
        return tensors.stream().collect(Collectors.toMap(GgufTensorInfo::name, GgufTensorInfo::type));
    }
}
