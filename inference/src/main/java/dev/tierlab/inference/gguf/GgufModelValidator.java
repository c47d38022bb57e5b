package dev.tierlab.inference.gguf;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Checks that a structurally sound GGUF file ({@link GgufFile#open} checked the header, the
 * metadata encoding and the tensor layout) is a model llama.cpp and the Java engine can load without
 * reading out of bounds: the architecture's hyper-parameters are there, typed and in range; the
 * vocabulary arrays agree; and, for the llama family, every block has its tensors in the shapes the
 * metadata implies. Runs before any engine loads a model ({@code ModelInfo.of}); the first problem
 * found is a {@link GgufFormatException} naming the file, the key or tensor, and the fix.
 */
public final class GgufModelValidator {

    /** Architectures whose tensor layout is checked in full: llama.cpp's LLM_ARCH_LLAMA and QWEN2 layouts. */
    static final Set<String> LLAMA_FAMILY = Set.of("llama", "mistral", "qwen2");
    /** tokenizer.ggml.model values llama.cpp b4916 knows (llama_vocab::impl::load). */
    static final Set<String> TOKENIZERS = Set.of("llama", "gpt2", "bert", "t5", "rwkv", "no_vocab", "none");
    /** Special token ids tierlab's engines index the vocabulary with. */
    static final List<String> SPECIAL_IDS = List.of("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
            "tokenizer.ggml.unknown_token_id");
    /** More blocks than any model has; a larger block_count is a corrupt header, not a model. */
    static final long MAX_BLOCKS = 1 << 16;

    private static final String RECONVERT = "re-convert the model with llama.cpp's convert_hf_to_gguf.py";

    private final GgufFile f;
    private final Path path;
    private final String arch;

    private GgufModelValidator(GgufFile f) {
        this.f = f;
        this.path = f.path();
        this.arch = architecture(f);
    }

    /** Throws {@link GgufFormatException} for the first problem that would stop or crash a model load. */
    public static void validate(GgufFile f) {
        new GgufModelValidator(f).run();
    }

    private static String architecture(GgufFile f) {
        String a = f.requireString("general.architecture");
        if (a.isBlank() || !a.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new GgufFormatException(f.path(), "general.architecture", "general.architecture %s is not an architecture name%s"
                    .formatted(GgufFormatException.quote(a), f.at("general.architecture")), RECONVERT);
        }
        return a;
    }

    private void run() {
        long nLayer = positive("block_count", MAX_BLOCKS);
        long nEmbd = positive("embedding_length", Integer.MAX_VALUE);
        positive("context_length", Integer.MAX_VALUE);
        long nHead = positive("attention.head_count", Integer.MAX_VALUE);
        long nHeadKv = optionalPositive("attention.head_count_kv", nHead);
        if (nHeadKv > nHead || nHead % nHeadKv != 0) {
            throw bad(key("attention.head_count_kv"), "%s = %d does not divide %s = %d".formatted(key("attention.head_count_kv"),
                    nHeadKv, key("attention.head_count"), nHead), RECONVERT);
        }
        boolean explicitHeadDim = f.get(key("attention.key_length")).isPresent();
        if (!explicitHeadDim && nEmbd % nHead != 0) {
            throw bad(key("embedding_length"), "%s = %d is not a multiple of %s = %d and %s is not given".formatted(
                    key("embedding_length"), nEmbd, key("attention.head_count"), nHead, key("attention.key_length")), RECONVERT);
        }
        long headDimK = optionalPositive("attention.key_length", nEmbd / nHead);
        long headDimV = optionalPositive("attention.value_length", headDimK);
        long nFf = LLAMA_FAMILY.contains(arch) ? positive("feed_forward_length", Integer.MAX_VALUE)
                : optionalPositive("feed_forward_length", 0);
        long nExpert = f.get(key("expert_count")).isPresent() ? nonNegative("expert_count") : 0;
        for (String k : List.of("attention.layer_norm_rms_epsilon", "rope.freq_base", "rope.freq_scale")) {
            f.get(key(k)).ifPresent(v -> {
                if (v.type() != GgufValueType.FLOAT32) {
                    throw f.wrongType(key(k), v, "a float32");
                }
            });
        }

        long nVocab = vocabulary();

        for (GgufTensorInfo t : f.tensors()) {
            int layer = t.layer();
            if (layer >= nLayer) {
                throw bad(t.name(), "tensor %s belongs to block %d but %s = %d".formatted(GgufFormatException.quote(t.name()), layer,
                        key("block_count"), nLayer), RECONVERT);
            }
        }
        if (LLAMA_FAMILY.contains(arch)) {
            llamaTensors((int) nLayer, nEmbd, nHead * headDimK, nHeadKv * headDimK, nHeadKv * headDimV, nFf, nExpert, nVocab);
        }
    }

    /** Checks tokenizer.ggml.*; returns the vocabulary size (0 when the model has none). */
    private long vocabulary() {
        GgufValue modelValue = f.get("tokenizer.ggml.model").orElse(null);
        if (modelValue == null) {
            throw bad("tokenizer.ggml.model", "missing metadata key 'tokenizer.ggml.model' (llama.cpp needs it to pick a tokenizer)",
                    RECONVERT);
        }
        String model = f.requireString("tokenizer.ggml.model");
        if (!TOKENIZERS.contains(model)) {
            throw bad("tokenizer.ggml.model", "tokenizer.ggml.model %s is not a tokenizer llama.cpp knows (%s)".formatted(
                    GgufFormatException.quote(model), String.join(", ", TOKENIZERS.stream().sorted().toList())), RECONVERT);
        }
        long archVocab = f.get(key("vocab_size")).isPresent() ? positive("vocab_size", Integer.MAX_VALUE) : -1;
        if (model.equals("no_vocab") || model.equals("none")) {
            return Math.max(archVocab, 0);
        }
        int n = array("tokenizer.ggml.tokens", GgufValueType.STRING, true);
        if (n == 0) {
            throw bad("tokenizer.ggml.tokens", "tokenizer.ggml.tokens is empty", RECONVERT);
        }
        sameLength("tokenizer.ggml.scores", GgufValueType.FLOAT32, n);
        sameLength("tokenizer.ggml.token_type", GgufValueType.INT32, n);
        if (model.equals("gpt2")) {
            array("tokenizer.ggml.merges", GgufValueType.STRING, true);
        } else if (f.get("tokenizer.ggml.merges").isPresent()) {
            array("tokenizer.ggml.merges", GgufValueType.STRING, false);
        }
        if (archVocab >= 0 && archVocab != n) {
            throw bad(key("vocab_size"), "%s = %d but tokenizer.ggml.tokens has %d entries".formatted(key("vocab_size"), archVocab, n),
                    RECONVERT);
        }
        for (String k : SPECIAL_IDS) {
            if (f.get(k).isPresent()) {
                long id = uint32(k);
                if (id < 0 || id >= n) {
                    throw bad(k, "%s = %d is not a token id (the vocabulary has %d tokens)".formatted(k, id, n), RECONVERT);
                }
            }
        }
        for (String k : List.of("tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token")) {
            f.get(k).filter(v -> v.type() != GgufValueType.BOOL).ifPresent(v -> {
                throw f.wrongType(k, v, "a bool");
            });
        }
        return n;
    }

    /** The length of an array-of-{@code element} key; a missing key is an error when required, else -1. */
    private int array(String k, GgufValueType element, boolean required) {
        GgufValue v = f.get(k).orElse(null);
        if (v == null) {
            if (required) {
                throw bad(k, "missing metadata key '%s' (the %s tokenizer needs it)".formatted(k,
                        f.get("tokenizer.ggml.model").map(GgufValue::asString).orElse("?")), RECONVERT);
            }
            return -1;
        }
        if (!v.isArray() || v.elementType() != element) {
            throw f.wrongType(k, v, "an array of " + element.name().toLowerCase());
        }
        return v.asList().size();
    }

    private void sameLength(String k, GgufValueType element, int tokens) {
        int n = array(k, element, false);
        if (n >= 0 && n != tokens) {
            throw bad(k, "%s has %d entries but tokenizer.ggml.tokens has %d; the vocabulary arrays must be the same length"
                    .formatted(k, n, tokens), RECONVERT);
        }
    }

    private void llamaTensors(int nLayer, long nEmbd, long qDim, long kDim, long vDim, long nFf, long nExpert, long nVocab) {
        long vocab = nVocab > 0 ? nVocab : -1;
        tensor("token_embd.weight", nEmbd, vocab);
        tensor("output_norm.weight", nEmbd);
        optionalTensor("output.weight", nEmbd, vocab);
        for (int l = 0; l < nLayer; l++) {
            String b = "blk." + l + ".";
            tensor(b + "attn_norm.weight", nEmbd);
            tensor(b + "attn_q.weight", nEmbd, qDim);
            tensor(b + "attn_k.weight", nEmbd, kDim);
            tensor(b + "attn_v.weight", nEmbd, vDim);
            tensor(b + "attn_output.weight", qDim, nEmbd);
            if (arch.equals("qwen2")) {
                tensor(b + "attn_q.bias", qDim);
                tensor(b + "attn_k.bias", kDim);
                tensor(b + "attn_v.bias", vDim);
            } else {
                optionalTensor(b + "attn_q.bias", qDim);
                optionalTensor(b + "attn_k.bias", kDim);
                optionalTensor(b + "attn_v.bias", vDim);
            }
            tensor(b + "ffn_norm.weight", nEmbd);
            if (nExpert > 0) {
                present(b + "ffn_gate_inp.weight");
                present(b + "ffn_gate_exps.weight");
                present(b + "ffn_up_exps.weight");
                present(b + "ffn_down_exps.weight");
            } else {
                tensor(b + "ffn_gate.weight", nEmbd, nFf);
                tensor(b + "ffn_up.weight", nEmbd, nFf);
                tensor(b + "ffn_down.weight", nFf, nEmbd);
            }
        }
    }

    private void present(String name) {
        if (f.tensor(name).isEmpty()) {
            throw bad(name, "missing tensor '%s' (%s)".formatted(name, name.startsWith("blk.")
                    ? "every " + arch + " block needs it" : "a " + arch + " model needs it"), RECONVERT);
        }
    }

    private void tensor(String name, long... shape) {
        present(name);
        optionalTensor(name, shape);
    }

    /** Checks the shape if the tensor is there; a dimension of -1 is not checked. */
    private void optionalTensor(String name, long... shape) {
        GgufTensorInfo t = f.tensor(name).orElse(null);
        if (t == null) {
            return;
        }
        boolean ok = t.nDims() == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] < 0 || t.dim(i) == shape[i];
        }
        if (!ok) {
            throw bad(name, "tensor '%s' has shape %s, but the %s metadata implies %s".formatted(name, Arrays.toString(t.dims()), arch,
                    Arrays.toString(shape).replace("-1", "n_vocab")), RECONVERT);
        }
    }

    private String key(String suffix) {
        return arch + "." + suffix;
    }

    private long positive(String suffix, long max) {
        String k = key(suffix);
        GgufValue v = f.get(k).orElse(null);
        if (v == null) {
            throw bad(k, "missing metadata key '%s' (llama.cpp needs it for a %s model)".formatted(k, arch), RECONVERT);
        }
        return inRange(k, uint32(k), 1, max);
    }

    private long optionalPositive(String suffix, long fallback) {
        String k = key(suffix);
        return f.get(k).isPresent() ? inRange(k, uint32(k), 1, Integer.MAX_VALUE) : fallback;
    }

    private long nonNegative(String suffix) {
        String k = key(suffix);
        return inRange(k, uint32(k), 0, Integer.MAX_VALUE);
    }

    /** llama.cpp reads hyper-parameters and token ids as uint32 and refuses any other type (GGUFMeta). */
    private long uint32(String k) {
        GgufValue v = f.get(k).orElseThrow();
        if (v.type() != GgufValueType.UINT32) {
            throw f.wrongType(k, v, "a uint32");
        }
        return v.asLong();
    }

    private long inRange(String k, long v, long min, long max) {
        if (v < min || v > max) {
            throw bad(k, "%s = %d is outside %d..%d".formatted(k, v, min, max), RECONVERT);
        }
        return v;
    }

    private GgufFormatException bad(String field, String problem, String fix) {
        return new GgufFormatException(path, field, problem + f.at(field), fix);
    }
}
