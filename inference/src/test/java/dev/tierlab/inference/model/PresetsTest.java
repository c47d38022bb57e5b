package dev.tierlab.inference.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufTensorInfo;
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
    @ValueSource(strings = {"tiny", "small", "qwen2.5-0.5b", "llama-3.2-1b", "qwen2.5-3b", "llama-3.1-8b"})
    void layoutHoldsExactlyTheArchitecturesParameters(String name) {
        ModelPreset p = Presets.byName(name).orElseThrow();
        long inFile = ModelLayout.tensors(p).stream().mapToLong(TensorSpec::elements).sum();
        long duplicatedOutput = p.tiedEmbeddings() && p.ggufSeparateOutput() ? (long) p.nEmbd() * p.nVocab() : 0;
        assertEquals(p.architecturalParams() + duplicatedOutput, inFile);
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
