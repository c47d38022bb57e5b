package dev.tierlab.inference.model;

import java.util.ArrayList;
import java.util.List;

/** The tensors of a preset, named and shaped as llama.cpp's converter writes them. */
public final class ModelLayout {

    private ModelLayout() {
    }

    public static List<TensorSpec> tensors(ModelPreset p) {
        long qDim = (long) p.nHead() * p.headDim();
        long kvDim = (long) p.nHeadKv() * p.headDim();
        List<TensorSpec> out = new ArrayList<>();
        if (p.ropeFreqs()) {
            out.add(new TensorSpec("rope_freqs.weight", new long[] {p.headDim() / 2}, -1));
        }
        out.add(new TensorSpec("token_embd.weight", new long[] {p.nEmbd(), p.nVocab()}, -1));
        for (int l = 0; l < p.nLayer(); l++) {
            String b = "blk." + l + ".";
            out.add(new TensorSpec(b + "attn_norm.weight", new long[] {p.nEmbd()}, l));
            if (p.mla() != null) {
                latentAttention(p, l, out);
            } else {
                out.add(new TensorSpec(b + "attn_q.weight", new long[] {p.nEmbd(), qDim}, l));
                out.add(new TensorSpec(b + "attn_k.weight", new long[] {p.nEmbd(), kvDim}, l));
                out.add(new TensorSpec(b + "attn_v.weight", new long[] {p.nEmbd(), kvDim}, l));
                if (p.qkvBias()) {
                    out.add(new TensorSpec(b + "attn_q.bias", new long[] {qDim}, l));
                    out.add(new TensorSpec(b + "attn_k.bias", new long[] {kvDim}, l));
                    out.add(new TensorSpec(b + "attn_v.bias", new long[] {kvDim}, l));
                }
                out.add(new TensorSpec(b + "attn_output.weight", new long[] {qDim, p.nEmbd()}, l));
            }
            if (p.architecture().equals("olmoe")) {
                out.add(new TensorSpec(b + "attn_q_norm.weight", new long[] {qDim}, l));
                out.add(new TensorSpec(b + "attn_k_norm.weight", new long[] {kvDim}, l));
            }
            out.add(new TensorSpec(b + "ffn_norm.weight", new long[] {p.nEmbd()}, l));
            MoeShape m = p.moe();
            if (m == null || !m.isMoeLayer(l)) {
                out.add(new TensorSpec(b + "ffn_gate.weight", new long[] {p.nEmbd(), p.nFf()}, l));
                out.add(new TensorSpec(b + "ffn_up.weight", new long[] {p.nEmbd(), p.nFf()}, l));
                out.add(new TensorSpec(b + "ffn_down.weight", new long[] {p.nFf(), p.nEmbd()}, l));
                continue;
            }
            // llama.cpp's expert tensors are 3-D: [n_in, n_out, n_expert], expert e's matrix the e-th slab.
            out.add(new TensorSpec(b + "ffn_gate_inp.weight", new long[] {p.nEmbd(), m.nExpert()}, l));
            out.add(new TensorSpec(b + "ffn_gate_exps.weight", new long[] {p.nEmbd(), m.nFfExpert(), m.nExpert()}, l));
            out.add(new TensorSpec(b + "ffn_up_exps.weight", new long[] {p.nEmbd(), m.nFfExpert(), m.nExpert()}, l));
            out.add(new TensorSpec(b + "ffn_down_exps.weight", new long[] {m.nFfExpert(), p.nEmbd(), m.nExpert()}, l));
            if (p.sharedExpertGate()) {
                out.add(new TensorSpec(b + "ffn_gate_inp_shexp.weight", new long[] {p.nEmbd()}, l));
            }
            if (m.nFfShared() > 0) {
                out.add(new TensorSpec(b + "ffn_gate_shexp.weight", new long[] {p.nEmbd(), m.nFfShared()}, l));
                out.add(new TensorSpec(b + "ffn_up_shexp.weight", new long[] {p.nEmbd(), m.nFfShared()}, l));
                out.add(new TensorSpec(b + "ffn_down_shexp.weight", new long[] {m.nFfShared(), p.nEmbd()}, l));
            }
        }
        out.add(new TensorSpec("output_norm.weight", new long[] {p.nEmbd()}, -1));
        if (p.writesOutputTensor()) {
            out.add(new TensorSpec("output.weight", new long[] {p.nEmbd(), p.nVocab()}, -1));
        }
        return out;
    }

    /** llama.cpp's deepseek2 attention tensors (llama-model.cpp, LLM_ARCH_DEEPSEEK2 in b4916). */
    private static void latentAttention(ModelPreset p, int l, List<TensorSpec> out) {
        String b = "blk." + l + ".";
        MlaShape a = p.mla();
        long qDim = (long) p.nHead() * p.headDim();
        long vDim = (long) p.nHead() * a.vHeadDim();
        if (a.qLoraRank() == 0) {
            out.add(new TensorSpec(b + "attn_q.weight", new long[] {p.nEmbd(), qDim}, l));
        } else {
            out.add(new TensorSpec(b + "attn_q_a_norm.weight", new long[] {a.qLoraRank()}, l));
            out.add(new TensorSpec(b + "attn_q_a.weight", new long[] {p.nEmbd(), a.qLoraRank()}, l));
            out.add(new TensorSpec(b + "attn_q_b.weight", new long[] {a.qLoraRank(), qDim}, l));
        }
        out.add(new TensorSpec(b + "attn_kv_a_norm.weight", new long[] {a.kvLoraRank()}, l));
        out.add(new TensorSpec(b + "attn_kv_a_mqa.weight", new long[] {p.nEmbd(), a.kvLoraRank() + a.qkRopeDim()}, l));
        long nopePlusV = (long) p.nHead() * (p.headDim() - a.qkRopeDim()) + vDim;
        out.add(new TensorSpec(b + "attn_kv_b.weight", new long[] {a.kvLoraRank(), nopePlusV}, l));
        out.add(new TensorSpec(b + "attn_output.weight", new long[] {vDim, p.nEmbd()}, l));
    }
}
