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
    /** GGUF key stating the routing assumption of a synthesized mixture-of-experts model. */
    public static final String ROUTER_KEY = "tierlab.synthetic.router";
    public static final String ROUTER_ZIPF_KEY = "tierlab.synthetic.router_zipf";

    /** How a report names the routing assumption of a synthesized model. */
    public static String routerAssumption(MoeShape moe) {
        return "synthesized: zipf s=%.2f over %d experts per layer (seeded ranking), top-%d drawn without replacement"
                .formatted(moe.routerZipf(), moe.nExpert(), moe.nExpertUsed());
    }

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
        if (p.headDim() * p.nHead() != p.nEmbd() || p.mla() != null) {
            w.put(a + ".attention.key_length", GgufValue.u32(p.headDim()));
            w.put(a + ".attention.value_length", GgufValue.u32(p.mla() == null ? p.headDim() : p.mla().vHeadDim()));
        }
        MoeShape moe = p.moe();
        if (moe != null) {
            w.put(a + ".expert_count", GgufValue.u32(moe.nExpert()));
            w.put(a + ".expert_used_count", GgufValue.u32(moe.nExpertUsed()));
            if (moe.nFfExpert() != p.nFf()) {
                w.put(a + ".expert_feed_forward_length", GgufValue.u32(moe.nFfExpert()));
            }
            if (moe.nFfShared() > 0 && !a.equals("deepseek2")) {
                w.put(a + ".expert_shared_feed_forward_length", GgufValue.u32(moe.nFfShared()));
            }
            w.put(ROUTER_KEY, GgufValue.string(routerAssumption(moe)));
            w.put(ROUTER_ZIPF_KEY, GgufValue.f32((float) moe.routerZipf()));
        }
        if (p.mla() != null) {
            putLatentAttention(w, p);
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
        write(p, mix, seed, out, progress, true);
    }

    /**
     * For tests of an engine's expert arithmetic: as {@link #write}, but a mixture-of-experts model keeps
     * random attention and expert output projections instead of zero ones ({@link #zeroedForRouting}),
     * so every chosen expert changes the logits. Routing then depends on the context, not the stated skew.
     */
    public static void writeWithRandomProjections(ModelPreset p, QuantMix mix, long seed, Path out) throws IOException {
        write(p, mix, seed, out, GgufWriter.Progress.NONE, false);
    }

    private static void write(ModelPreset p, QuantMix mix, long seed, Path out, GgufWriter.Progress progress, boolean zeroProjections)
            throws IOException {
        GgufWriter w = plan(p, mix);
        w.put("tierlab.synthetic.seed", GgufValue.of(GgufValueType.UINT64, seed));
        if (!zeroProjections && p.moe() != null) {
            w.put("tierlab.synthetic.projections", GgufValue.string("random (routing does not follow the stated skew)"));
        }
        RandomBlocks random = new RandomBlocks(seed);
        MoeShape moe = p.moe();
        float[][][] embeddings = new float[1][][];
        w.write(out, (GgufTensorInfo t, java.io.OutputStream os) -> {
            if (isUnitScale(t.name())) {
                RandomBlocks.writeConstantF32(1.0f, t.elementCount(), os);
            } else if (moe != null && zeroProjections && zeroedForRouting(t.name())) {
                writeZeros(t.byteSize(), os);
            } else if (moe != null && t.name().equals("token_embd.weight")) {
                writeAnchoredEmbeddings(random, t, os);
            } else if (moe != null && t.name().endsWith("ffn_gate_inp.weight")) {
                if (embeddings[0] == null) {
                    GgufTensorInfo e = w.tensors().stream().filter(x -> x.name().equals("token_embd.weight")).findFirst().orElseThrow();
                    embeddings[0] = SyntheticRouter.sampleEmbeddings(random, e.type(), e.name(), p.nEmbd(), p.nVocab(), seed);
                }
                int layer = t.layer();
                float[][] router = SyntheticRouter.weights(embeddings[0], SyntheticRouter.anchorElements(
                        w.tensors().stream().filter(x -> x.name().equals("token_embd.weight")).findFirst().orElseThrow().type()),
                        moe.nExpert(), moe.nExpertUsed(), moe.routerZipf(), SyntheticRouter.ranking(seed, layer, moe.nExpert()),
                        seed * 31 + layer);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * p.nEmbd()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (float[] row : router) {
                    b.clear();
                    for (float v : row) {
                        b.putFloat(v);
                    }
                    os.write(b.array());
                }
            } else {
                random.write(t.type(), t.byteSize(), t.name(), os);
            }
        }, progress);
    }

    /**
     * deepseek2's keys (llama-model.cpp load_hparams in b4916): latent attention ranks, the rotary part
     * of each key, the leading dense blocks, the ungated shared experts (as a count of expert widths),
     * and DeepSeek-V2's router: softmax over all experts, top-k weights neither renormalized nor scaled.
     */
    private static void putLatentAttention(GgufWriter w, ModelPreset p) {
        String a = p.architecture();
        MlaShape mla = p.mla();
        if (mla.qLoraRank() > 0) {
            w.put(a + ".attention.q_lora_rank", GgufValue.u32(mla.qLoraRank()));
        }
        w.put(a + ".attention.kv_lora_rank", GgufValue.u32(mla.kvLoraRank()));
        w.put(a + ".rope.dimension_count", GgufValue.u32(mla.qkRopeDim()));
        // b4916 requires this key; without a rope.scaling.type (YaRN is left out) it scales nothing. 0.0707 is
        // what llama.cpp's converter writes for DeepSeek-V2-Lite (0.1 x mscale_all_dim 0.707).
        w.put(a + ".rope.scaling.yarn_log_multiplier", GgufValue.f32(0.0707f));
        MoeShape moe = p.moe();
        if (moe != null) {
            w.put(a + ".leading_dense_block_count", GgufValue.u32(moe.nLeadingDense()));
            w.put(a + ".expert_shared_count", GgufValue.u32(moe.nFfShared() / moe.nFfExpert()));
            w.put(a + ".expert_weights_scale", GgufValue.f32(1.0f));
            w.put(a + ".expert_weights_norm", GgufValue.bool(false));
            w.put(a + ".expert_gating_func", GgufValue.u32(1));
        }
    }

    /**
     * Output projections of attention and of the experts are zero in a synthesized mixture-of-experts
     * model, so that routing is the stated assumption (see {@link SyntheticRouter}); they are read
     * and multiplied exactly as random ones would be. So is a leading dense block's ffn_down (deepseek2).
     */
    static boolean zeroedForRouting(String name) {
        return name.endsWith("attn_output.weight") || name.endsWith("ffn_down_exps.weight") || name.endsWith("ffn_down_shexp.weight")
                || name.endsWith("ffn_down.weight");
    }

    private static void writeZeros(long bytes, java.io.OutputStream os) throws IOException {
        byte[] zero = new byte[1 << 16];
        for (long left = bytes; left > 0; left -= zero.length) {
            os.write(zero, 0, (int) Math.min(left, zero.length));
        }
    }

    /** Random embedding rows whose first block is row 0's in every row: the routers' anchor. */
    private static void writeAnchoredEmbeddings(RandomBlocks random, GgufTensorInfo t, java.io.OutputStream os) throws IOException {
        int anchor = SyntheticRouter.anchorBytes(t.type());
        long rowBytes = t.byteSize() / t.dim(1);
        byte[] anchorData = new byte[anchor];
        random.read(t.type(), t.name(), 0, anchorData);
        random.write(t.type(), t.byteSize(), t.name(), new java.io.OutputStream() {
            private long pos;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                while (len > 0) {
                    long inRow = pos % rowBytes;
                    int n = (int) Math.min(len, inRow < anchor ? anchor - inRow : rowBytes - inRow);
                    if (inRow < anchor) {
                        os.write(anchorData, (int) inRow, n);
                    } else {
                        os.write(buf, off, n);
                    }
                    pos += n;
                    off += n;
                    len -= n;
                }
            }
        });
    }

    /** Norm weights and rope frequency factors are 1.0 in a healthy model; random values would not be. */
    private static boolean isUnitScale(String name) {
        return name.endsWith("norm.weight") || name.equals("rope_freqs.weight");
    }
}
