package dev.tierlab.inference.model;

import dev.tierlab.inference.gguf.GgmlType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which ggml type each tensor gets, following llama.cpp's quantizer (llama_tensor_get_type) for
 * the file types tierlab synthesizes, including its fallback when a row is not a whole number of
 * 256-element super-blocks (Q4_K -> Q5_0, Q6_K -> Q8_0).
 */
public enum QuantMix {
    F32(GgmlType.F32, 0),
    F16(GgmlType.F16, 1),
    BF16(GgmlType.BF16, 32),
    Q8_0(GgmlType.Q8_0, 7),
    Q4_0(GgmlType.Q4_0, 2),
    Q4_K_M(GgmlType.Q4_K, 15);

    private final GgmlType baseType;
    private final int llamaFileType;

    QuantMix(GgmlType baseType, int llamaFileType) {
        this.baseType = baseType;
        this.llamaFileType = llamaFileType;
    }

    /** llama_ftype, written as general.file_type. */
    public int llamaFileType() {
        return llamaFileType;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<QuantMix> byName(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.name().equals(n)).findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(QuantMix::label).collect(Collectors.joining(", "));
    }

    /** Assigns a type to every tensor of {@code layout}, in order. */
    public List<GgmlType> assign(List<TensorSpec> layout, int nLayer) {
        boolean hasOutput = layout.stream().anyMatch(t -> t.name().equals("output.weight"));
        return layout.stream().map(t -> typeFor(t, nLayer, hasOutput)).toList();
    }

    private GgmlType typeFor(TensorSpec t, int nLayer, boolean hasOutput) {
        // llama.cpp's quantizer never quantizes expert routers (ffn_gate_inp): they stay F32 in every file type.
        if (t.name().endsWith("ffn_gate_inp.weight")) {
            return GgmlType.F32;
        }
        if (t.isVector() || !baseType.isQuantized()) {
            return t.isVector() ? GgmlType.F32 : baseType;
        }
        boolean actsAsOutput = t.name().equals("output.weight") || (!hasOutput && t.name().equals("token_embd.weight"));
        GgmlType chosen = baseType;
        if (actsAsOutput) {
            if (t.rowLength() % 256 != 0) {
                chosen = GgmlType.Q8_0;
            } else if (baseType != GgmlType.Q8_0) {
                chosen = GgmlType.Q6_K;
            }
            return chosen;
        }
        if (this == Q4_K_M) {
            if (t.name().endsWith("attn_v.weight") && useMoreBits(t.layer(), nLayer)) {
                chosen = GgmlType.Q6_K;
            } else if (t.name().contains("ffn_down") && useMoreBits(t.layer(), nLayer)) {
                chosen = GgmlType.Q6_K;
            }
        }
        return fallback(chosen, t.rowLength());
    }

    /** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third between. */
    static boolean useMoreBits(int layer, int nLayer) {
        return layer < nLayer / 8 || layer >= 7 * nLayer / 8 || (layer - nLayer / 8) % 3 == 2;
    }

    private static GgmlType fallback(GgmlType type, long rowLength) {
        if (rowLength % type.blockSize() == 0) {
            return type;
        }
        GgmlType alt = switch (type) {
            case Q2_K, Q3_K -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return rowLength % alt.blockSize() == 0 ? alt : GgmlType.F16;
    }
}
