package dev.tierlab.inference.java;

import dev.tierlab.inference.engine.LayerHook;

/**
 * A mixture-of-experts block's FFN, as llama.cpp b4916's build_moe_ffn computes it: router logits
 * (f32), their softmax, the top-k experts by probability (largest first), each chosen expert's
 * down(silu(gate x) * up x) scaled by its probability (renormalised over the k where the
 * architecture asks), summed in top-k order. Only the chosen experts' matrices are read: each
 * expert's gate and up rows meet only the tokens that chose it, all experts' rows split over the
 * threads as one range. Qwen2-MoE's shared expert is added, scaled by sigmoid(gate_inp_shexp . x).
 *
 * <p>The hook hears the chosen experts before any of their weights is read; in copy mode the
 * stager then stages exactly those experts.
 */
final class MoeFeedForward {

    private final Parallel pool;
    private final LayerHook hook;
    private final boolean routing;
    private final WeightStager stager;
    private int[] chosen = new int[0];   // (token, slot) -> expert, slot-major within a token
    private float[] weights = new float[0];

    MoeFeedForward(Parallel pool, LayerHook hook, WeightStager stager) {
        this.pool = pool;
        this.hook = hook;
        this.routing = hook.observesRouting();
        this.stager = stager;
    }

    /** The FFN outputs, [token][n_embd], of block {@code layer} for its normalized inputs. */
    float[][] forward(int layer, JavaModel.Experts ex, float[][] normed, int nEmbd) {
        int n = normed.length;
        int k = ex.used();
        if (n == 0) {
            // llama.cpp's last block of a micro-batch without logits routes no token: said so alike.
            if (routing) {
                hook.expertsRouted(layer, 0, k, chosen);
            }
            return new float[0][];
        }
        Activations h = new Activations(normed);
        float[][] logits = new float[n][ex.count()];
        run(new Weight[] {ex.router()}, new Activations[] {h}, new float[][][] {logits});
        if (chosen.length < n * k) {
            chosen = new int[n * k];
            weights = new float[n * k];
        }
        long union = 0;
        for (int t = 0; t < n; t++) {
            route(logits[t], k, ex.normalize(), chosen, weights, t * k);
            for (int j = 0; j < k; j++) {
                union |= 1L << chosen[t * k + j];
            }
        }
        if (routing) {
            hook.expertsRouted(layer, n, k, chosen);
        }
        JavaModel.Experts w = stager == null ? ex : stager.experts(layer, ex, union);

        // Per chosen expert: the tokens that chose it, and where each (token, slot) finds its row.
        int used = Long.bitCount(union);
        int[] experts = new int[used];
        int[][] tokensOf = new int[used][];
        int[] rowOf = new int[n * k];
        int[] indexOf = new int[ex.count()];
        for (int i = 0, e = 0; e < ex.count(); e++) {
            if ((union >>> e & 1) != 0) {
                indexOf[e] = i;
                experts[i++] = e;
            }
        }
        int[] counts = new int[used];
        for (int s = 0; s < n * k; s++) {
            counts[indexOf[chosen[s]]]++;
        }
        for (int i = 0; i < used; i++) {
            tokensOf[i] = new int[counts[i]];
            counts[i] = 0;
        }
        for (int s = 0; s < n * k; s++) {
            int i = indexOf[chosen[s]];
            rowOf[s] = counts[i];
            tokensOf[i][counts[i]++] = s / k;
        }

        // gate and up of every chosen expert (and the shared one), as one parallel range
        int shared = ex.hasShared() ? 1 : 0;
        int jobs = used + shared;
        Weight[] gates = new Weight[jobs];
        Weight[] ups = new Weight[jobs];
        Weight[] downs = new Weight[jobs];
        Activations[] ins = new Activations[jobs];
        float[][][] g = new float[jobs][][];
        float[][][] u = new float[jobs][][];
        for (int i = 0; i < used; i++) {
            int e = experts[i];
            gates[i] = w.gate()[e];
            ups[i] = w.up()[e];
            downs[i] = w.down()[e];
            float[][] rows = new float[tokensOf[i].length][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = normed[tokensOf[i][r]];
            }
            ins[i] = new Activations(rows);
        }
        if (shared == 1) {
            gates[used] = w.sharedGate();
            ups[used] = w.sharedUp();
            downs[used] = w.sharedDown();
            ins[used] = h;
        }
        for (int i = 0; i < jobs; i++) {
            g[i] = new float[ins[i].tokens()][gates[i].rows()];
            u[i] = new float[ins[i].tokens()][ups[i].rows()];
        }
        Weight[] gateUp = new Weight[2 * jobs];
        Activations[] gateUpIn = new Activations[2 * jobs];
        float[][][] gateUpOut = new float[2 * jobs][][];
        for (int i = 0; i < jobs; i++) {
            gateUp[2 * i] = gates[i];
            gateUp[2 * i + 1] = ups[i];
            gateUpIn[2 * i] = ins[i];
            gateUpIn[2 * i + 1] = ins[i];
            gateUpOut[2 * i] = g[i];
            gateUpOut[2 * i + 1] = u[i];
        }
        run(gateUp, gateUpIn, gateUpOut);
        Parallel.RangeBody[] glu = new Parallel.RangeBody[jobs];
        int[] gluRows = new int[jobs];
        for (int i = 0; i < jobs; i++) {
            float[][] gi = g[i];
            float[][] ui = u[i];
            glu[i] = (from, to) -> {
                for (int r = from; r < to; r++) {
                    Kernels.swiGlu(gi[r], ui[r], 0, gi[r].length);
                }
            };
            gluRows[i] = gi.length;
        }
        pool.forRanges(glu, gluRows);
        float[][][] d = new float[jobs][][];
        Activations[] downIn = new Activations[jobs];
        for (int i = 0; i < jobs; i++) {
            d[i] = new float[g[i].length][nEmbd];
            downIn[i] = new Activations(g[i]);
        }
        run(downs, downIn, d);

        // ggml: experts * weights, then summed slot by slot (slot 0 + slot 1 + ...), then + the shared expert
        float[][] out = new float[n][nEmbd];
        for (int t = 0; t < n; t++) {
            float[] o = out[t];
            for (int j = 0; j < k; j++) {
                int s = t * k + j;
                float[] y = d[indexOf[chosen[s]]][rowOf[s]];
                float p = weights[s];
                if (j == 0) {
                    for (int i = 0; i < nEmbd; i++) {
                        o[i] = y[i] * p;
                    }
                } else {
                    for (int i = 0; i < nEmbd; i++) {
                        o[i] += y[i] * p;
                    }
                }
            }
            if (shared == 1) {
                float z = dot(ex.sharedGateInp(), normed[t]);
                float gate = silu(z) / z; // llama.cpp's sigmoid: silu(x) / x
                float[] y = d[used][t];
                for (int i = 0; i < nEmbd; i++) {
                    o[i] += y[i] * gate;
                }
            }
        }
        return out;
    }

    /**
     * Softmax of one token's router logits, then the k most probable experts, largest first, into
     * {@code chosen[at..at+k)} with their probabilities (divided by their sum when {@code normalize})
     * into {@code weights}.
     */
    static void route(float[] logits, int k, boolean normalize, int[] chosen, float[] weights, int at) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        float[] p = new float[logits.length];
        double sum = 0;
        for (int e = 0; e < p.length; e++) {
            p[e] = (float) Math.exp(logits[e] - max);
            sum += p[e];
        }
        float scale = (float) (1.0 / sum);
        for (int e = 0; e < p.length; e++) {
            p[e] *= scale;
        }
        int filled = 0;
        for (int e = 0; e < p.length; e++) {
            if (filled == k && p[e] <= p[chosen[at + k - 1]]) {
                continue;
            }
            int i = filled < k ? filled++ : k - 1;
            while (i > 0 && p[chosen[at + i - 1]] < p[e]) {
                chosen[at + i] = chosen[at + i - 1];
                i--;
            }
            chosen[at + i] = e;
        }
        double total = 0;
        for (int j = 0; j < k; j++) {
            weights[at + j] = p[chosen[at + j]];
            total += weights[at + j];
        }
        if (normalize) {
            float t = (float) total;
            for (int j = 0; j < k; j++) {
                weights[at + j] /= t;
            }
        }
    }

    /** Several matmuls, each over its own inputs, as one parallel range (batches of four or more tokens as {@link MatMat}). */
    private void run(Weight[] ws, Activations[] ins, float[][][] outs) {
        Parallel.RangeBody[] bodies = new Parallel.RangeBody[ws.length];
        int[] rows = new int[ws.length];
        for (int i = 0; i < ws.length; i++) {
            bodies[i] = ins[i].tokens() < 4 ? MatVec.rows(ws[i], ins[i], outs[i], null) : MatMat.rows(ws[i], ins[i], outs[i], null);
            rows[i] = ws[i].rows();
        }
        pool.forRanges(bodies, rows);
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }
}
