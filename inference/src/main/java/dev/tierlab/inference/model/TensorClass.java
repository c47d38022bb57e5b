package dev.tierlab.inference.model;

/**
 * What a weight tensor is for: the unit placement rules and reports talk about. Norms and biases
 * belong to the block they normalise or bias.
 */
public enum TensorClass {
    EMBEDDINGS, ATTN, FFN, FFN_EXPERTS, OUTPUT, OTHER;

    /** Classifies a GGUF tensor name as llama.cpp names them. */
    public static TensorClass of(String name) {
        if (name.startsWith("token_embd")) {
            return EMBEDDINGS;
        }
        if (name.startsWith("output")) {
            return OUTPUT;
        }
        if (name.startsWith("blk.")) {
            String part = name.substring(name.indexOf('.', 4) + 1);
            if (part.startsWith("ffn_") && (part.contains("_exps") || part.contains("_shexp") || part.startsWith("ffn_gate_inp"))) {
                return FFN_EXPERTS;
            }
            if (part.startsWith("ffn_") || part.startsWith("layer_output")) {
                return FFN;
            }
            if (part.startsWith("attn_")) {
                return ATTN;
            }
        }
        return OTHER;
    }

    public String label() {
        return switch (this) {
            case FFN_EXPERTS -> "experts";
            case EMBEDDINGS -> "embeddings";
            default -> name().toLowerCase();
        };
    }
}
