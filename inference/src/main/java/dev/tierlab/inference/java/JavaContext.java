package dev.tierlab.inference.java;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.ForwardContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One sequence's state for the Java engine: the KV cache (f16, one Panama segment per layer and
 * kind, as llama.cpp's default f16 cache), activation buffers, and the forward pass. Roundings
 * follow llama.cpp's CPU backend where they change results: activations meet f16 weights as f16,
 * and queries and attention probabilities meet the f16 cache as f16.
 */
final class JavaContext extends ForwardContext {

    private final JavaModel m;
    private final LayerHook hook;
    private final WeightStager stager;
    private final Parallel pool;
    private final MoeFeedForward moe;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] kCache;
    private final MemorySegment[] vCache;
    private final int kvDim;

    JavaContext(JavaModel m, ContextConfig config, LayerHook hook, WeightStager stager) {
        if (config.kvType() != GgmlType.F16) {
            throw new IllegalArgumentException("the Java engine keeps its KV cache in f16 only");
        }
        super(config, m.nVocab);
        this.m = m;
        this.hook = hook;
        this.stager = stager;
        this.pool = new Parallel(config.threads());
        this.moe = new MoeFeedForward(pool, hook, stager);
        this.kvDim = m.nHeadKv * m.headDim;
        kCache = new MemorySegment[m.nLayer];
        vCache = new MemorySegment[m.nLayer];
        for (int l = 0; l < m.nLayer; l++) {
            kCache[l] = arena.allocate(2L * config.nCtx() * kvDim, 64);
            vCache[l] = arena.allocate(2L * config.nCtx() * kvDim, 64);
        }
        if (stager != null) {
            stager.attachKv(kCache, vCache, kvDim);
        }
    }

    @Override
    public int[] tokenize(String text, boolean addBos) {
        return m.tokenizer.encode(text, addBos);
    }

    @Override
    protected void forward(int[] tokens, int from, int n, boolean wantLogits) {
        hook.microBatchStart(n, position);
        float[][] x = new float[n][m.nEmbd];
        for (int t = 0; t < n; t++) {
            int id = tokens[from + t];
            if (id < 0 || id >= m.nVocab) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + m.nVocab);
            }
            m.tokenEmbd.row(id, x[t]);
        }
        float[][] angles = new float[n][];
        for (int t = 0; t < n; t++) {
            angles[t] = ropeAngles(position + t);
        }
        for (int l = 0; l < m.nLayer; l++) {
            if (hook.observes(l)) {
                hook.layerStart(l);
            }
            JavaModel.Layer layer = stager == null ? m.layers.get(l) : stager.layer(l);
            attention(l, layer, x, n, angles);
            feedForward(l, layer, x, l < m.nLayer - 1 ? n : wantLogits ? 1 : 0);
        }
        if (hook.observes(m.nLayer)) {
            hook.layerStart(m.nLayer);
        }
        if (wantLogits) {
            Activations h = new Activations(new float[][] {rmsNorm(x[n - 1], m.outputNorm)});
            float[][] out = {logits};
            matmul(m.output, h, out, null);
        }
        position += n;
        hook.microBatchEnd();
    }

    private void attention(int l, JavaModel.Layer w, float[][] x, int n, float[][] angles) {
        float[][] normed = new float[n][];
        for (int t = 0; t < n; t++) {
            normed[t] = rmsNorm(x[t], w.attnNorm());
        }
        Activations h = new Activations(normed);
        float[][] q = new float[n][m.nHead * m.headDim];
        float[][] k = new float[n][kvDim];
        float[][] v = new float[n][kvDim];
        matmuls(h, new Weight[] {w.wq(), w.wk(), w.wv()}, new float[][][] {q, k, v}, new float[][] {w.bq(), w.bk(), w.bv()});
        MemorySegment kc = kCache[l];
        MemorySegment vc = vCache[l];
        // copy mode: positions that live on a lower tier are read from their staged copies
        java.util.List<WeightStager.KvSpan> staged = stager == null ? java.util.List.of() : stager.stagedKv(l);
        MemorySegment ks = staged.isEmpty() ? kc : stager.stagedK(l);
        MemorySegment vs = staged.isEmpty() ? vc : stager.stagedV(l);
        for (int t = 0; t < n; t++) {
            int pos = position + t;
            if (w.qNorm() != null) {
                // olmoe: RMS norms over the whole q and k vectors, before RoPE
                q[t] = rmsNorm(q[t], w.qNorm());
                k[t] = rmsNorm(k[t], w.kNorm());
            }
            rope(q[t], m.nHead, angles[t]);
            rope(k[t], m.nHeadKv, angles[t]);
            for (int i = 0; i < kvDim; i++) {
                kc.set(ValueLayout.JAVA_SHORT, 2L * ((long) pos * kvDim + i), Float.floatToFloat16(k[t][i]));
                vc.set(ValueLayout.JAVA_SHORT, 2L * ((long) pos * kvDim + i), Float.floatToFloat16(v[t][i]));
            }
        }
        float[][] att = new float[n][m.nHead * m.headDim];
        int group = m.nHead / m.nHeadKv;
        float scale = (float) (1.0 / Math.sqrt(m.headDim));
        pool.forRange(n * m.nHead, (from, to) -> {
            float[] scores = new float[position + n];
            for (int job = from; job < to; job++) {
                int t = job / m.nHead;
                int head = job % m.nHead;
                int kvh = head / group;
                int last = position + t;
                int qo = head * m.headDim;
                float[] qh = new float[m.headDim];
                for (int d = 0; d < m.headDim; d++) {
                    qh[d] = Float.float16ToFloat(Float.floatToFloat16(q[t][qo + d]));
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= last; j++) {
                    long base = 2L * ((long) j * kvDim + (long) kvh * m.headDim);
                    MemorySegment kSrc = isStaged(staged, j) ? ks : kc;
                    scores[j] = Kernels.dotF16Cache(qh, 0, kSrc, base, m.headDim) * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= last; j++) {
                    scores[j] = (float) Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                float[] out = att[t];
                for (int j = 0; j <= last; j++) {
                    float p = Float.float16ToFloat(Float.floatToFloat16((float) (scores[j] / sum)));
                    long base = 2L * ((long) j * kvDim + (long) kvh * m.headDim);
                    MemorySegment vSrc = isStaged(staged, j) ? vs : vc;
                    Kernels.addScaledF16Cache(p, vSrc, base, out, qo, m.headDim);
                }
            }
        });
        float[][] o = new float[n][m.nEmbd];
        matmul(w.wo(), new Activations(att), o, null);
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < m.nEmbd; i++) {
                x[t][i] += o[t][i];
            }
        }
    }

    /** Called per cached position: an indexed loop, as an iterator per call showed up in profiles. */
    private static boolean isStaged(java.util.List<WeightStager.KvSpan> spans, int position) {
        for (int i = 0; i < spans.size(); i++) {
            if (spans.get(i).contains(position)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The FFN of the last {@code rows} tokens of the micro-batch. The last block computes it only for
     * the tokens whose logits are wanted, as llama.cpp does (its inp_out_ids): a mixture-of-experts
     * block then routes, and reads experts for, only those.
     */
    private void feedForward(int l, JavaModel.Layer w, float[][] x, int rows) {
        int skip = x.length - rows;
        float[][] normed = new float[rows][];
        for (int t = 0; t < rows; t++) {
            normed[t] = rmsNorm(x[skip + t], w.ffnNorm());
        }
        float[][] d;
        if (w.experts() != null) {
            d = moe.forward(l, w.experts(), normed, m.nEmbd);
        } else {
            if (rows == 0) {
                return;
            }
            Activations h = new Activations(normed);
            float[][] g = new float[rows][m.nFf];
            float[][] u = new float[rows][m.nFf];
            matmuls(h, new Weight[] {w.gate(), w.up()}, new float[][][] {g, u}, new float[][] {null, null});
            for (int t = 0; t < rows; t++) {
                float[] gt = g[t];
                float[] ut = u[t];
                pool.forRange(m.nFf, (from, to) -> Kernels.swiGlu(gt, ut, from, to));
            }
            d = new float[rows][m.nEmbd];
            matmul(w.down(), new Activations(g), d, null);
        }
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < m.nEmbd; i++) {
                x[skip + t][i] += d[t][i];
            }
        }
    }

    /**
     * Several matmuls of the same input (q, k, v; gate, up). For a few tokens their rows are split
     * over the threads as one range, so each thread streams whole matrices with one wait at the
     * end instead of one per matrix.
     */
    private void matmuls(Activations in, Weight[] ws, float[][][] outs, float[][] biases) {
        if (in.tokens() >= 4) {
            for (int i = 0; i < ws.length; i++) {
                matmul(ws[i], in, outs[i], biases[i]);
            }
            return;
        }
        Parallel.RangeBody[] bodies = new Parallel.RangeBody[ws.length];
        int[] rows = new int[ws.length];
        for (int i = 0; i < ws.length; i++) {
            bodies[i] = MatVec.rows(ws[i], in, outs[i], biases[i]);
            rows[i] = ws[i].rows();
        }
        pool.forRanges(bodies, rows);
    }

    /** out[t][r] = W[r] . in[t] (+ bias[r]), rows split over the threads; each row read once for all tokens. */
    private void matmul(Weight w, Activations in, float[][] out, float[] bias) {
        // A few tokens meet the encoded rows directly (single tokens in integer arithmetic on
        // q8_0-quantized activations, as llama.cpp does); batches dequantize each row once and
        // reuse it from L1 for every token in float multiply-adds, cheaper per token than integer
        // products once the row is decoded.
        if (in.tokens() < 4) {
            pool.forRange(w.rows(), MatVec.rows(w, in, out, bias));
        } else {
            pool.forRange(w.rows(), MatMat.rows(w, in, out, bias));
        }
    }

    private float[] rmsNorm(float[] x, float[] weight) {
        double ss = 0;
        for (float v : x) {
            ss += (double) v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(ss / x.length + m.rmsEps));
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * weight[i];
        }
        return out;
    }

    /**
     * The rotation angles' cosines and sines for one position, [2 * i] and [2 * i + 1] per pair i:
     * the same for every layer and head, so computed once per token and micro-batch.
     */
    private float[] ropeAngles(int pos) {
        int half = m.headDim / 2;
        float[] cs = new float[2 * half];
        for (int i = 0; i < half; i++) {
            double theta = pos * Math.pow(m.ropeBase, -2.0 * i / m.headDim);
            if (m.ropeFreqFactors != null) {
                theta /= m.ropeFreqFactors[i];
            }
            cs[2 * i] = (float) Math.cos(theta);
            cs[2 * i + 1] = (float) Math.sin(theta);
        }
        return cs;
    }

    /** Rotary position embedding: adjacent pairs (llama) or halves (NEOX, qwen2). */
    private void rope(float[] v, int heads, float[] angles) {
        int half = m.headDim / 2;
        for (int h = 0; h < heads; h++) {
            int o = h * m.headDim;
            for (int i = 0; i < half; i++) {
                float c = angles[2 * i];
                float s = angles[2 * i + 1];
                int a = m.ropeNeox ? o + i : o + 2 * i;
                int b = m.ropeNeox ? o + i + half : o + 2 * i + 1;
                float x0 = v[a];
                float x1 = v[b];
                v[a] = x0 * c - x1 * s;
                v[b] = x0 * s + x1 * c;
            }
        }
    }


    @Override
    public int bosToken() {
        return m.tokenizer.bos();
    }

    @Override
    public int vocabularySize() {
        return m.nVocab;
    }

    @Override
    public void close() {
        pool.close();
        if (stager != null) {
            stager.close();
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
