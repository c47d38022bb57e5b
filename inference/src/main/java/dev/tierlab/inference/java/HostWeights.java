package dev.tierlab.inference.java;

import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.model.ModelInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * The Java engine's view of a llama/qwen2 GGUF (hyper-parameters, norms, biases, tokenizer) for
 * other engines, with every matrix dequantized to f16 through the Java engine's own row decoders:
 * the CUDA engine loads exactly the weights the Java engine computes with, whatever GGUF type
 * (f32, f16, q8_0, q4_0, q4_K, q6_K) the file holds.
 */
public final class HostWeights implements AutoCloseable {

    /** A layer's matrices, in the order the forward pass uses them. */
    public enum Matrix { Q, K, V, O, GATE, UP, DOWN }

    private final JavaModel m;

    private HostWeights(JavaModel m) {
        this.m = m;
    }

    public static HostWeights open(Path gguf) {
        GgufFile f = GgufFile.open(gguf);
        try {
            ModelInfo info = ModelInfo.of(f);
            if (info.isMoe()) {
                throw new dev.tierlab.inference.gguf.GgufFormatException(gguf, ("mixture-of-experts models (%s.expert_count %d) are not"
                        + " supported by the CUDA engine; use engine: java or llama.cpp").formatted(f.architecture(), info.nExpert()));
            }
            return new HostWeights(new JavaModel(f));
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public ModelInfo info() {
        return m.info;
    }

    public String architecture() {
        return m.file.architecture();
    }

    public int nEmbd() {
        return m.nEmbd;
    }

    public int nHead() {
        return m.nHead;
    }

    public int nHeadKv() {
        return m.nHeadKv;
    }

    public int headDim() {
        return m.headDim;
    }

    public int nFf() {
        return m.nFf;
    }

    public int nLayer() {
        return m.nLayer;
    }

    public int nVocab() {
        return m.nVocab;
    }

    public float rmsEps() {
        return m.rmsEps;
    }

    public float ropeBase() {
        return m.ropeBase;
    }

    public boolean ropeNeox() {
        return m.ropeNeox;
    }

    /** Per-pair frequency divisors (llama 3), or null. */
    public float[] ropeFreqFactors() {
        return m.ropeFreqFactors;
    }

    public float[] attnNorm(int layer) {
        return m.layers.get(layer).attnNorm();
    }

    public float[] ffnNorm(int layer) {
        return m.layers.get(layer).ffnNorm();
    }

    /** The q, k or v bias of a layer (qwen2), or null. */
    public float[] bias(Matrix which, int layer) {
        JavaModel.Layer l = m.layers.get(layer);
        return switch (which) {
            case Q -> l.bq();
            case K -> l.bk();
            case V -> l.bv();
            default -> null;
        };
    }

    public float[] outputNorm() {
        return m.outputNorm;
    }

    public boolean tiedOutput() {
        return m.output == m.tokenEmbd;
    }

    public int rows(Matrix which, int layer) {
        return weight(which, layer).rows();
    }

    public int cols(Matrix which, int layer) {
        return weight(which, layer).cols();
    }

    /** Writes a layer matrix as f16 [rows][cols] into {@code dst} (rows * cols * 2 bytes). */
    public void f16(Matrix which, int layer, MemorySegment dst) {
        f16(weight(which, layer), dst);
    }

    /** The token embedding as f16 [vocab][n_embd]. */
    public void embeddingF16(MemorySegment dst) {
        f16(m.tokenEmbd, dst);
    }

    /** The output head as f16 [vocab][n_embd] (the embedding when they are tied). */
    public void outputF16(MemorySegment dst) {
        f16(m.output, dst);
    }

    public int[] tokenize(String text, boolean addBos) {
        return m.tokenizer.encode(text, addBos);
    }

    public int bos() {
        return m.tokenizer.bos();
    }

    /** The last logits of a Java engine context (for checks of other engines against it). */
    public static float[] logits(EngineContext javaContext) {
        if (!(javaContext instanceof JavaContext c)) {
            throw new IllegalArgumentException("not a Java engine context: " + javaContext.getClass().getName());
        }
        return c.logits();
    }

    private Weight weight(Matrix which, int layer) {
        JavaModel.Layer l = m.layers.get(layer);
        return switch (which) {
            case Q -> l.wq();
            case K -> l.wk();
            case V -> l.wv();
            case O -> l.wo();
            case GATE -> l.gate();
            case UP -> l.up();
            case DOWN -> l.down();
        };
    }

    private static void f16(Weight w, MemorySegment dst) {
        float[] row = new float[w.cols()];
        long at = 0;
        for (int r = 0; r < w.rows(); r++) {
            w.row(r, row);
            for (float v : row) {
                dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, Float.floatToFloat16(v));
                at += 2;
            }
        }
    }

    @Override
    public void close() {
        m.close();
    }
}
