package dev.tierlab.inference.model;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.gguf.GgufFormatException;
import dev.tierlab.inference.gguf.GgufModelValidator;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.gguf.GgufValue;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What tierlab needs to know about a GGUF model: hyper-parameters, and where its weight bytes are
 * (per layer, per tensor class). Placement rules and the KV-cache model read this.
 *
 * @param headDim  a key's size per head (attention.key_length)
 * @param headDimV a value's size per head (attention.value_length): smaller than a key's in deepseek2
 */
public record ModelInfo(
        String name,
        String architecture,
        int nLayer,
        int nEmbd,
        int nHead,
        int nHeadKv,
        int headDim,
        int nFf,
        int nVocab,
        int contextLength,
        long params,
        long tensorBytes,
        long fileBytes,
        String fileType,
        List<GgufTensorInfo> tensors,
        int nExpert,
        int nExpertUsed,
        String routing,
        int headDimV) {

    /** Whether this is a mixture-of-experts model (its blocks have routed expert tensors). */
    public boolean isMoe() {
        return nExpert > 0;
    }

    /** Whether a tensor holds routed experts, one slab per expert along its last dimension. */
    /** Per block, whether it has routed experts (false for dense models and DeepSeek's leading dense blocks). */
    public boolean[] routedBlocks() {
        boolean[] r = new boolean[nLayer];
        for (GgufTensorInfo t : tensors) {
            if (isRoutedExperts(t.name()) && t.layer() >= 0 && t.layer() < nLayer) {
                r[t.layer()] = true;
            }
        }
        return r;
    }

    public static boolean isRoutedExperts(String tensorName) {
        return tensorName.contains("_exps.");
    }

    /**
     * Parameters one token reads: all but the routed experts the router does not pick. Equal to
     * {@link #params} for a dense model.
     */
    public long activeParams() {
        if (!isMoe()) {
            return params;
        }
        long routed = tensors.stream().filter(t -> isRoutedExperts(t.name())).mapToLong(GgufTensorInfo::elementCount).sum();
        return params - routed / nExpert * (nExpert - nExpertUsed);
    }

    /**
     * Reads a model's hyper-parameters after {@link GgufModelValidator} has checked them, so every
     * engine (and {@code tierlab model inspect}) refuses a bad file with one line before native code sees it.
     */
    public static ModelInfo of(GgufFile f) {
        GgufModelValidator.validate(f);
        String arch = f.architecture();
        int nLayer = (int) f.archLong("block_count");
        int nEmbd = (int) f.archLong("embedding_length");
        int nHead = (int) f.archLong("attention.head_count");
        int nHeadKv = (int) f.archLongOr("attention.head_count_kv", nHead);
        if (nHead <= 0 || nHeadKv <= 0) {
            throw new GgufFormatException(f.path(), arch + ".attention.head_count must be positive");
        }
        int headDim = (int) f.archLongOr("attention.key_length", nEmbd / nHead);
        int headDimV = (int) f.archLongOr("attention.value_length", headDim);
        int nFf = (int) f.archLongOr("feed_forward_length", 0);
        int nVocab = f.get("tokenizer.ggml.tokens").map(v -> v.asList().size())
                .orElseGet(() -> (int) f.archLongOr("vocab_size", 0));
        int ctx = (int) f.archLongOr("context_length", 0);
        long params = f.tensors().stream().mapToLong(GgufTensorInfo::elementCount).sum();
        long bytes = f.tensors().stream().mapToLong(GgufTensorInfo::byteSize).sum();
        String name = f.get("general.name").map(GgufValue::asString).orElse(f.path().getFileName().toString());
        int nExpert = (int) f.archLongOr("expert_count", 0);
        int nExpertUsed = (int) f.archLongOr("expert_used_count", 0);
        if (nExpert > 0 && (nExpertUsed < 1 || nExpertUsed > nExpert)) {
            throw new GgufFormatException(f.path(), arch + ".expert_used_count must be in [1, " + arch + ".expert_count]");
        }
        if (nExpert > 64) {
            throw new GgufFormatException(f.path(), arch + ".expert_count " + nExpert + " is over the 64 experts tierlab accounts for per layer");
        }
        String routing = nExpert == 0 ? "" : f.get(SyntheticModel.ROUTER_KEY).map(GgufValue::asString)
                .orElse("the model's own router weights");
        return new ModelInfo(name, arch, nLayer, nEmbd, nHead, nHeadKv, headDim, nFf, nVocab, ctx, params, bytes,
                f.fileSize(), dominantType(f.tensors()), f.tensors(), nExpert, nExpertUsed, routing, headDimV);
    }

    /**
     * K and V bytes one token occupies in one layer's cache, for a KV cache of {@code kvType}. b4916 caches
     * deepseek2's keys and values expanded per head (its compressed latent cache came later), so this holds there too.
     */
    public long kvBytesPerTokenPerLayer(GgmlType kvType) {
        long elements = (long) nHeadKv * (headDim + headDimV);
        return elements * kvType.bytesPerBlock() / kvType.blockSize();
    }

    /** Weight bytes per layer index; index -1 collects tensors outside the layer stack. */
    public Map<Integer, Long> bytesPerLayer() {
        Map<Integer, Long> m = new TreeMap<>();
        for (GgufTensorInfo t : tensors) {
            m.merge(t.layer(), t.byteSize(), Long::sum);
        }
        return m;
    }

    public Map<TensorClass, Long> bytesPerClass() {
        Map<TensorClass, Long> m = new EnumMap<>(TensorClass.class);
        for (GgufTensorInfo t : tensors) {
            m.merge(TensorClass.of(t.name()), t.byteSize(), Long::sum);
        }
        return m;
    }

    public boolean hasOutputTensor() {
        return tensors.stream().anyMatch(t -> t.name().equals("output.weight"));
    }

    /** The type holding most weight bytes, e.g. "q4_K", as a one-word description of the file. */
    private static String dominantType(List<GgufTensorInfo> tensors) {
        Map<GgmlType, Long> byType = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : tensors) {
            byType.merge(t.type(), t.byteSize(), Long::sum);
        }
        return byType.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> e.getKey().ggmlName()).orElse("?");
    }
}
