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

/** A llama or qwen2 GGUF mapped for the Java engine: hyper-parameters and weights by layer. */
final class JavaModel implements LoadedModel {

    /** One transformer block's weights; biases are null where the architecture has none. */
    record Layer(float[] attnNorm, Weight wq, Weight wk, Weight wv, float[] bq, float[] bk, float[] bv, Weight wo,
            float[] ffnNorm, Weight gate, Weight up, Weight down) {

        List<Weight> matrices() {
            return List.of(wq, wk, wv, wo, gate, up, down);
        }

        Layer with(List<Weight> m) {
            return new Layer(attnNorm, m.get(0), m.get(1), m.get(2), bq, bk, bv, m.get(3), ffnNorm, m.get(4), m.get(5), m.get(6));
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

    JavaModel(GgufFile f) {
        this.file = f;
        try {
            this.info = ModelInfo.of(f);
            String arch = f.architecture();
            if (!arch.equals("llama") && !arch.equals("qwen2") && !arch.equals("mistral")) {
                throw new GgufFormatException(f.path(), "architecture '%s' is not supported by the Java engine (llama, qwen2)".formatted(arch));
            }
            if (info.isMoe()) {
                throw new GgufFormatException(f.path(), "mixture-of-experts models (%s.expert_count %d) are not supported by the Java engine; use engine: llama.cpp"
                        .formatted(arch, info.nExpert()));
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
            ropeNeox = arch.equals("qwen2"); // llama.cpp: LLAMA_ROPE_TYPE_NEOX for qwen2, NORM for llama
            ropeFreqFactors = f.tensor("rope_freqs.weight").map(this::vector).orElse(null);
            tokenEmbd = weight("token_embd.weight");
            outputNorm = vector(require("output_norm.weight"));
            output = f.tensor("output.weight").map(t -> Weight.of(f, t, regrouped)).orElse(tokenEmbd);
            for (int l = 0; l < nLayer; l++) {
                String p = "blk." + l + ".";
                layers.add(new Layer(vector(require(p + "attn_norm.weight")), weight(p + "attn_q.weight"), weight(p + "attn_k.weight"),
                        weight(p + "attn_v.weight"), optionalVector(p + "attn_q.bias"), optionalVector(p + "attn_k.bias"),
                        optionalVector(p + "attn_v.bias"), weight(p + "attn_output.weight"), vector(require(p + "ffn_norm.weight")),
                        weight(p + "ffn_gate.weight"), weight(p + "ffn_up.weight"), weight(p + "ffn_down.weight")));
            }
        } catch (RuntimeException e) {
            regrouped.close();
            throw e;
        }
    }

    private GgufTensorInfo require(String name) {
        return file.tensor(name).orElseThrow(() -> new GgufFormatException(file.path(), "missing tensor " + name));
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
