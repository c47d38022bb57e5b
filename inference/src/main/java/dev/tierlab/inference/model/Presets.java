package dev.tierlab.inference.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Built-in model shapes. Real presets copy their model's config.json; test presets are small. */
public final class Presets {

    private static final Map<String, ModelPreset> PRESETS = new LinkedHashMap<>();

    static {
        // Test shapes: every dimension a multiple of 256 so all K-quants apply without fallbacks.
        add(new ModelPreset("tiny", "llama", 256, 4, 8, 2, 32, 768, 4096, 2048, 10000f, 1e-5f,
                false, false, false, false, 0, "tierlab test shape, ~5M parameters"));
        add(new ModelPreset("small", "llama", 1024, 16, 16, 4, 64, 2816, 32000, 4096, 10000f, 1e-5f,
                false, false, false, false, 0, "tierlab benchmark shape, ~246M parameters"));
        // Qwen/Qwen2.5-0.5B config.json: hidden 896, 24 layers, 14/2 heads, ffn 4864, vocab 151936, tied.
        // Qwen's own GGUF release stores output.weight separately.
        add(new ModelPreset("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 64, 4864, 151936, 32768, 1000000f, 1e-6f,
                true, true, true, false, 494_032_768L, "Qwen/Qwen2.5-0.5B config.json; 0.49B published"));
        // meta-llama/Llama-3.2-1B config.json: hidden 2048, 16 layers, 32/8 heads, ffn 8192, vocab 128256, tied.
        add(new ModelPreset("llama-3.2-1b", "llama", 2048, 16, 32, 8, 64, 8192, 128256, 131072, 500000f, 1e-5f,
                false, true, false, true, 1_235_814_400L, "meta-llama/Llama-3.2-1B config.json; 1.24B published"));
        // Qwen/Qwen2.5-3B config.json: hidden 2048, 36 layers, 16/2 heads, ffn 11008, vocab 151936, tied.
        add(new ModelPreset("qwen2.5-3b", "qwen2", 2048, 36, 16, 2, 128, 11008, 151936, 32768, 1000000f, 1e-6f,
                true, true, true, false, 3_085_938_688L, "Qwen/Qwen2.5-3B config.json; 3.09B published"));
        // meta-llama/Llama-3.1-8B config.json: hidden 4096, 32 layers, 32/8 heads, ffn 14336, vocab 128256.
        add(new ModelPreset("llama-3.1-8b", "llama", 4096, 32, 32, 8, 128, 14336, 128256, 131072, 500000f, 1e-5f,
                false, false, false, true, 8_030_261_248L, "meta-llama/Llama-3.1-8B config.json; 8.03B published"));
        // meta-llama/Llama-3.1-405B config.json: hidden 16384, 126 layers, 128/8 heads, ffn 53248, vocab 128256.
        // Every block does the same work, so a slice of a few blocks (model.layers) is a faithful decode workload.
        add(new ModelPreset("llama-3.1-405b", "llama", 16384, 126, 128, 8, 128, 53248, 128256, 131072, 500000f, 1e-5f,
                false, false, false, true, 405_000_000_000L, "meta-llama/Llama-3.1-405B config.json; 405B published"));
        // Mixture-of-experts presets. Their routers are synthesized with a stated skew (MoeShape.routerZipf).
        // allenai/OLMoE-1B-7B-0924 config.json: hidden 2048, 16 layers, 16/16 heads, 64 experts of 1024, top-8,
        // vocab 50304, q/k norms; the OLMoE paper: 6.9B total, 1.3B active.
        add(new ModelPreset("olmoe-1b-7b", "olmoe", 2048, 16, 16, 16, 128, 1024, 50304, 4096, 10000f, 1e-5f,
                false, false, false, false, 6_900_000_000L, "allenai/OLMoE-1B-7B-0924 config.json; 6.9B total, 1.3B active published",
                new MoeShape(64, 8, 1024, 0, 1_300_000_000L, 1.0)));
        // Qwen/Qwen1.5-MoE-A2.7B config.json: hidden 2048, 24 layers, 16/16 heads, 60 experts of 1408, top-4,
        // a shared expert of 5632 with a sigmoid gate, vocab 151936, qkv bias; 14.3B total, 2.7B active published.
        add(new ModelPreset("qwen1.5-moe-a2.7b", "qwen2moe", 2048, 24, 16, 16, 128, 5632, 151936, 8192, 1000000f, 1e-6f,
                true, false, false, false, 14_300_000_000L, "Qwen/Qwen1.5-MoE-A2.7B config.json; 14.3B total, 2.7B active published",
                new MoeShape(60, 4, 1408, 5632, 2_700_000_000L, 1.0)));
        // mistralai/Mixtral-8x7B-v0.1 config.json: hidden 4096, 32 layers, 32/8 heads, 8 experts of 14336, top-2,
        // vocab 32000; llama.cpp loads it as "llama" with experts. 46.7B total, 12.9B active published.
        add(new ModelPreset("mixtral-8x7b", "llama", 4096, 32, 32, 8, 128, 14336, 32000, 32768, 1000000f, 1e-5f,
                false, false, false, false, 46_700_000_000L, "mistralai/Mixtral-8x7B-v0.1 config.json; 46.7B total, 12.9B active published",
                new MoeShape(8, 2, 14336, 0, 12_900_000_000L, 1.0)));
        // deepseek-ai/DeepSeek-V2-Lite config.json: hidden 2048, 27 layers, 16 heads of multi-head latent attention
        // (kv_lora_rank 512, no q_lora_rank, keys of 128 + 64 rotary, values of 128), block 0 dense (ffn 10944), then
        // 64 routed experts of 1408, top-6 (softmax, not renormalized, scale 1.0) and 2 shared experts; vocab 102400,
        // untied. Its YaRN rope scaling (factor 40 over 4096) is left out: it changes rotary constants, not shapes,
        // types or work; b4916 loads the model without it (it does require rope.scaling.yarn_log_multiplier, written
        // but inert without a scaling type). 15.7B total, 2.4B active published.
        add(new ModelPreset("deepseek-v2-lite", "deepseek2", 2048, 27, 16, 16, 192, 10944, 102400, 163840, 10000f, 1e-6f,
                false, false, false, false, 15_700_000_000L, "deepseek-ai/DeepSeek-V2-Lite config.json; 15.7B total, 2.4B active published",
                new MoeShape(64, 6, 1408, 2 * 1408, 2_400_000_000L, 1.0, 1), new MlaShape(0, 512, 64, 128)));
    }

    private Presets() {
    }

    private static void add(ModelPreset p) {
        PRESETS.put(p.name(), p);
    }

    public static Optional<ModelPreset> byName(String name) {
        return Optional.ofNullable(PRESETS.get(name));
    }

    public static Map<String, ModelPreset> all() {
        return Map.copyOf(PRESETS);
    }

    public static Iterable<String> names() {
        return PRESETS.keySet();
    }
}
