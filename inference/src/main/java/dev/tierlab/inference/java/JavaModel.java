package dev.tierlab.inference.java;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.gguf.GgufFormatException;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.gguf.GgufValue;
import dev.tierlab.inference.model.ModelInfo;
import dev.tierlab.inference.model.SpmTokenizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** A llama, qwen2, olmoe or qwen2moe GGUF mapped for the Java engine: hyper-parameters and weights by layer. */
final class JavaModel implements LoadedModel {

    /**
     * One transformer block's weights; biases and q/k norms are null where the architecture has none.
     * A dense block has gate, up and down; a mixture-of-experts block has {@code experts} instead.
     */
    record Layer(float[] attnNorm, Weight wq, Weight wk, Weight wv, float[] bq, float[] bk, float[] bv, Weight wo,
            float[] qNorm, float[] kNorm, float[] ffnNorm, Weight gate, Weight up, Weight down, Experts experts) {

        /** The matrices every token reads (copy mode stages them ahead): attention, then the dense FFN or the router and shared expert. */
        List<Weight> matrices() {
            List<Weight> m = new ArrayList<>(List.of(wq, wk, wv, wo));
            m.addAll(experts == null ? List.of(gate, up, down) : experts.dense());
            return m;
        }

        /** The same block over other copies of {@link #matrices} (in that order). */
        Layer with(List<Weight> m) {
            if (experts == null) {
                return new Layer(attnNorm, m.get(0), m.get(1), m.get(2), bq, bk, bv, m.get(3), qNorm, kNorm, ffnNorm, m.get(4), m.get(5),
                        m.get(6), null);
            }
            return new Layer(attnNorm, m.get(0), m.get(1), m.get(2), bq, bk, bv, m.get(3), qNorm, kNorm, ffnNorm, null, null, null,
                    experts.withDense(m.subList(4, m.size())));
        }
    }

    /**
     * A mixture-of-experts FFN as llama.cpp's build_moe_ffn computes it: the router's softmax picks
     * {@code used} experts, whose weights are the chosen probabilities (renormalised to sum 1 where
     * {@code normalize}); expert e's matrices are the e-th slabs of the 3-D expert tensors. Qwen2-MoE
     * adds a shared expert scaled by sigmoid(sharedGateInp . x); the shared fields are null elsewhere.
     */
    record Experts(Weight router, Weight[] gate, Weight[] up, Weight[] down, int used, boolean normalize, float[] sharedGateInp,
            Weight sharedGate, Weight sharedUp, Weight sharedDown) {

        int count() {
            return gate.length;
        }

        boolean hasShared() {
            return sharedGate != null;
        }

        /** Bytes of expert e's three matrices. */
        long expertBytes(int e) {
            return gate[e].bytes() + up[e].bytes() + down[e].bytes();
        }

        /** The matrices read whatever the routing: the router and the shared expert. */
        List<Weight> dense() {
            return hasShared() ? List.of(router, sharedGate, sharedUp, sharedDown) : List.of(router);
        }

        Experts withDense(List<Weight> m) {
            return hasShared() ? new Experts(m.get(0), gate, up, down, used, normalize, sharedGateInp, m.get(1), m.get(2), m.get(3))
                    : new Experts(m.get(0), gate, up, down, used, normalize, null, null, null, null);
        }

        Experts withRouted(Weight[] g, Weight[] u, Weight[] d) {
            return new Experts(router, g, u, d, used, normalize, sharedGateInp, sharedGate, sharedUp, sharedDown);
        }
    }

    final GgufFile file;
    /** Holds the weights regrouped at load (q4_0); the others stay in the mapped file. */
    private final Arena regrouped = Arena.ofShared();
    final ModelInfo info;
    final SpmTokenizer tokenizer;
    final int nEmbd;
    final int nHead;
    final int nHeadKv;
    final int headDim;
    final int nFf;
    final int nLayer;
    final int nVocab;
    final float rmsEps;
    final float ropeBase;
    final boolean ropeNeox;
    final float[] ropeFreqFactors;
    final Weight tokenEmbd;
    final float[] outputNorm;
    final Weight output;
    final List<Layer> layers = new ArrayList<>();

    private static final java.util.Set<String> SUPPORTED = java.util.Set.of("llama", "mistral", "qwen2", "olmoe", "qwen2moe");

    JavaModel(GgufFile f) {
        this.file = f;
        try {
            this.info = ModelInfo.of(f);
            String arch = f.architecture();
            if (!SUPPORTED.contains(arch)) {
                throw new GgufFormatException(f.path(), ("architecture '%s' is not supported by the Java engine (llama, mistral, qwen2,"
                        + " and mixture-of-experts llama, olmoe, qwen2moe); use engine: llama.cpp").formatted(arch));
            }
            boolean moeArch = arch.equals("olmoe") || arch.equals("qwen2moe");
            if (moeArch != info.isMoe() && !arch.equals("llama")) {
                throw new GgufFormatException(f.path(), moeArch ? "%s.expert_count is missing: %s models have experts".formatted(arch, arch)
                        : "%s.expert_count %d: the Java engine reads experts only in llama, olmoe and qwen2moe models".formatted(arch, info.nExpert()));
            }
            tokenizer = SpmTokenizer.of(f);
            nEmbd = info.nEmbd();
            nHead = info.nHead();
            nHeadKv = info.nHeadKv();
            headDim = info.headDim();
            nFf = info.nFf();
            nLayer = info.nLayer();
            nVocab = info.nVocab();
            rmsEps = (float) (double) f.archValue("attention.layer_norm_rms_epsilon").map(GgufValue::asDouble).orElse(1e-5);
            ropeBase = (float) (double) f.archValue("rope.freq_base").map(GgufValue::asDouble).orElse(10000.0);
            // llama.cpp b4916 llama_model_rope_type: NEOX for qwen2, qwen2moe and olmoe, NORM for llama
            ropeNeox = !arch.equals("llama") && !arch.equals("mistral");
            ropeFreqFactors = f.tensor("rope_freqs.weight").map(this::vector).orElse(null);
            tokenEmbd = weight("token_embd.weight");
            outputNorm = vector(require("output_norm.weight"));
            output = f.tensor("output.weight").map(t -> Weight.of(f, t, regrouped)).orElse(tokenEmbd);
            boolean qkNorm = arch.equals("olmoe");
            for (int l = 0; l < nLayer; l++) {
                String p = "blk." + l + ".";
                Experts experts = info.isMoe() ? experts(p, arch) : null;
                layers.add(new Layer(vector(require(p + "attn_norm.weight")), weight(p + "attn_q.weight"), weight(p + "attn_k.weight"),
                        weight(p + "attn_v.weight"), optionalVector(p + "attn_q.bias"), optionalVector(p + "attn_k.bias"),
                        optionalVector(p + "attn_v.bias"), weight(p + "attn_output.weight"),
                        qkNorm ? vector(require(p + "attn_q_norm.weight")) : null, qkNorm ? vector(require(p + "attn_k_norm.weight")) : null,
                        vector(require(p + "ffn_norm.weight")),
                        experts == null ? weight(p + "ffn_gate.weight") : null, experts == null ? weight(p + "ffn_up.weight") : null,
                        experts == null ? weight(p + "ffn_down.weight") : null, experts));
            }
        } catch (RuntimeException e) {
            regrouped.close();
            throw e;
        }
    }

    private GgufTensorInfo require(String name) {
        return file.tensor(name).orElseThrow(() -> new GgufFormatException(file.path(), "missing tensor " + name));
    }

    /** A block's experts; llama.cpp renormalises the chosen weights for llama (Mixtral), not for olmoe or qwen2moe. */
    private Experts experts(String p, String arch) {
        int n = info.nExpert();
        Weight router = weight(p + "ffn_gate_inp.weight");
        if (router.rows() != n || router.cols() != nEmbd) {
            throw new GgufFormatException(file.path(), "tensor %sffn_gate_inp.weight must be [%d, %d]".formatted(p, nEmbd, n));
        }
        boolean shared = arch.equals("qwen2moe");
        return new Experts(router, slabs(p + "ffn_gate_exps.weight", n), slabs(p + "ffn_up_exps.weight", n),
                slabs(p + "ffn_down_exps.weight", n), info.nExpertUsed(), arch.equals("llama"),
                shared ? vector(require(p + "ffn_gate_inp_shexp.weight")) : null, shared ? weight(p + "ffn_gate_shexp.weight") : null,
                shared ? weight(p + "ffn_up_shexp.weight") : null, shared ? weight(p + "ffn_down_shexp.weight") : null);
    }

    /** The n expert matrices of a 3-D expert tensor [cols, rows, n]: expert e is the e-th contiguous slab. */
    private Weight[] slabs(String name, int n) {
        GgufTensorInfo t = require(name);
        if (t.nDims() != 3 || t.dim(2) != n) {
            throw new GgufFormatException(file.path(), "tensor %s must have 3 dimensions, the last %d (experts)".formatted(name, n));
        }
        if (!Kernels.supports(t.type())) {
            throw new IllegalArgumentException("%s: tensor %s is %s; the Java engine supports f32, f16, q8_0, q4_0, q4_K, q6_K"
                    .formatted(file.path(), name, t.type().ggmlName()));
        }
        int cols = (int) t.dim(0);
        int rows = (int) t.dim(1);
        long slab = t.type().byteSize(cols) * rows;
        MemorySegment all = file.tensorData(t);
        Weight[] out = new Weight[n];
        for (int e = 0; e < n; e++) {
            out[e] = Weight.load(name, all.asSlice(e * slab, slab), t.type(), rows, cols, regrouped);
        }
        return out;
    }

    private Weight weight(String name) {
        return Weight.of(file, require(name), regrouped);
    }

    private float[] optionalVector(String name) {
        return file.tensor(name).map(this::vector).orElse(null);
    }

    private float[] vector(GgufTensorInfo t) {
        if (t.type() != GgmlType.F32) {
            throw new GgufFormatException(file.path(), "tensor %s is %s; norms and biases must be f32".formatted(t.name(), t.type()));
        }
        MemorySegment s = file.tensorData(t);
        float[] v = new float[(int) t.elementCount()];
        MemorySegment.copy(s, Kernels.F32, 0, v, 0, v.length);
        return v;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public String description() {
        return "%s %s (java)".formatted(file.architecture(), info.fileType());
    }

    @Override
    public long parameterCount() {
        return info.params();
    }

    @Override
    public long sizeBytes() {
        return info.tensorBytes();
    }

    @Override
    public EngineContext newContext(ContextConfig config, LayerHook hook) {
        if (hook instanceof CopyMode copy) {
            return new JavaContext(this, config, hook, copy);
        }
        return new JavaContext(this, config, hook, null);
    }

    @Override
    public void close() {
        file.close();
        regrouped.close();
    }
}
