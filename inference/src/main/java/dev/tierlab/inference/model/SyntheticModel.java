package dev.tierlab.inference.model;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.gguf.GgufValue;
import dev.tierlab.inference.gguf.GgufValueType;
import dev.tierlab.inference.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a shape-faithful GGUF model for a preset: the real architecture's metadata, tensor names,
 * shapes and quant mix, random weights with valid scales, and an SPM vocabulary, so llama.cpp loads,
 * tokenizes and runs it exactly as it would the real model's file of the same shape.
 */
public final class SyntheticModel {

    public static final long DEFAULT_SEED = 42;

    private SyntheticModel() {
    }

    /** A GgufWriter with every header entry and tensor declared; call {@link #write} to produce it. */
    public static GgufWriter plan(ModelPreset p, QuantMix mix) {
        GgufWriter w = new GgufWriter();
        String a = p.architecture();
        w.put("general.architecture", GgufValue.string(a));
        w.put("general.name", GgufValue.string("tierlab synthetic " + p.name()));
        w.put("general.file_type", GgufValue.u32(mix.llamaFileType()));
        w.put("general.quantization_version", GgufValue.u32(2));
        w.put(a + ".context_length", GgufValue.u32(p.contextLength()));
        w.put(a + ".embedding_length", GgufValue.u32(p.nEmbd()));
        w.put(a + ".block_count", GgufValue.u32(p.nLayer()));
        w.put(a + ".feed_forward_length", GgufValue.u32(p.nFf()));
        w.put(a + ".attention.head_count", GgufValue.u32(p.nHead()));
        w.put(a + ".attention.head_count_kv", GgufValue.u32(p.nHeadKv()));
        w.put(a + ".rope.freq_base", GgufValue.f32(p.ropeTheta()));
        w.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.f32(p.rmsEps()));
        if (p.headDim() * p.nHead() != p.nEmbd()) {
            w.put(a + ".attention.key_length", GgufValue.u32(p.headDim()));
            w.put(a + ".attention.value_length", GgufValue.u32(p.headDim()));
        }
        if (a.equals("llama")) {
            w.put(a + ".rope.dimension_count", GgufValue.u32(p.headDim()));
            w.put(a + ".vocab_size", GgufValue.u32(p.nVocab()));
        }
        SpmVocabulary vocab = SpmVocabulary.build(p.nVocab());
        w.put("tokenizer.ggml.model", GgufValue.string("llama"));
        w.put("tokenizer.ggml.tokens", GgufValue.array(GgufValueType.STRING, vocab.tokens()));
        w.put("tokenizer.ggml.scores", GgufValue.array(GgufValueType.FLOAT32, vocab.scores()));
        w.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, vocab.types()));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.u32(SpmVocabulary.BOS));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.u32(SpmVocabulary.EOS));
        w.put("tokenizer.ggml.unknown_token_id", GgufValue.u32(SpmVocabulary.UNK));
        w.put("tokenizer.ggml.add_bos_token", GgufValue.bool(true));
        w.put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
        w.put("tierlab.synthetic.preset", GgufValue.string(p.name()));
        w.put("tierlab.synthetic.quant", GgufValue.string(mix.label()));

        List<TensorSpec> layout = ModelLayout.tensors(p);
        List<GgmlType> types = mix.assign(layout, p.nLayer());
        for (int i = 0; i < layout.size(); i++) {
            w.addTensor(layout.get(i).name(), types.get(i), layout.get(i).dims());
        }
        return w;
    }

    public static void write(ModelPreset p, QuantMix mix, long seed, Path out, GgufWriter.Progress progress)
            throws IOException {
        GgufWriter w = plan(p, mix);
        w.put("tierlab.synthetic.seed", GgufValue.of(GgufValueType.UINT64, seed));
        RandomBlocks random = new RandomBlocks(seed);
        w.write(out, (GgufTensorInfo t, java.io.OutputStream os) -> {
            if (isUnitScale(t.name())) {
                RandomBlocks.writeConstantF32(1.0f, t.elementCount(), os);
            } else {
                random.write(t.type(), t.byteSize(), t.name(), os);
            }
        }, progress);
    }

    /** Norm weights and rope frequency factors are 1.0 in a healthy model; random values would not be. */
    private static boolean isUnitScale(String name) {
        return name.endsWith("norm.weight") || name.equals("rope_freqs.weight");
    }
}
