package dev.tierlab.inference.emulation;

import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierSpec;
import java.util.Map;
import dev.tierlab.emulator.placement.TensorRef;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.model.ModelInfo;
import dev.tierlab.inference.model.TensorClass;
import java.util.ArrayList;
import java.util.List;

/**
 * Connects an engine's layer boundaries to the emulator: the model's tensor table (from its GGUF)
 * becomes the emulator's weight map, its KV geometry the emulator's KV bytes per token.
 */
public final class EmulatedHook implements EmulationHook {

    private final Emulator emulator;

    private EmulatedHook(Emulator emulator) {
        this.emulator = emulator;
    }

    public static EmulatedHook create(Emulator.Config config, ModelInfo model, GgmlType kvType, Injector injector,
            boolean profiling) {
        return new EmulatedHook(new Emulator(config, tensorRefs(model), model.nLayer(),
                model.kvBytesPerTokenPerLayer(kvType), injector, profiling, model.nExpert()));
    }

    /**
     * GGUF tensors as the emulator sees them; token embeddings are read one row per token, and, in
     * models without output.weight, read whole once more as the tied output projection.
     */
    public static List<TensorRef> tensorRefs(ModelInfo model) {
        List<TensorRef> refs = new ArrayList<>(model.tensors().stream().map(EmulatedHook::ref).toList());
        if (!model.hasOutputTensor()) {
            model.tensors().stream().filter(t -> TensorClass.of(t.name()) == TensorClass.EMBEDDINGS).findFirst()
                    .ifPresent(t -> refs.add(new TensorRef(t.name(), -1, TensorClass.EMBEDDINGS.label(), t.byteSize(), 0,
                            t.elementCount(), t.type().ggmlName())));
        }
        return refs;
    }

    private static TensorRef ref(GgufTensorInfo t) {
        TensorClass c = TensorClass.of(t.name());
        long rowBytes = c == TensorClass.EMBEDDINGS && t.nDims() >= 2 ? t.byteSize() / t.dim(1) : 0;
        // 1-D tensors (norms, biases) are element-wise work, not matrix products: no FLOPs are charged for them.
        long elements = t.nDims() >= 2 ? t.elementCount() : 0;
        return new TensorRef(t.name(), t.layer(), c.label(), t.byteSize(), rowBytes, elements, t.type().ggmlName());
    }

    /** The model as the reference timeline sees it, with a KV cache of {@code kvType}. */
    public static dev.tierlab.emulator.timeline.ModelGeometry geometry(ModelInfo model, GgmlType kvType) {
        // Attention costs 2 (d_k + d_v) FLOPs per head, query and cached position: the geometry takes their mean.
        return new dev.tierlab.emulator.timeline.ModelGeometry(tensorRefs(model), model.nLayer(), model.nHead(),
                (model.headDim() + model.headDimV()) / 2,
                model.kvBytesPerTokenPerLayer(kvType), model.nExpert(), model.nExpertUsed());
    }

    /** A hook that emulates nothing but times every layer, for the unconstrained compute profile. */
    public static EmulatedHook profiler(ModelInfo model, GgmlType kvType) {
        var hbm = TierSpec.nativeTier("hbm", TierClass.HBM);
        Emulator.Config config = new Emulator.Config(Map.of("hbm", hbm), Placement.allOn("hbm"), null, 0, 0, 1);
        return create(config, model, kvType, Injector.of(0, 0), true);
    }

    public Emulator emulator() {
        return emulator;
    }

    @Override
    public void useComputeProfile(dev.tierlab.emulator.ComputeProfile profile) {
        emulator.useComputeProfile(profile);
    }

    /** What the emulator recorded since the last call; its ledger starts afresh. */
    @Override
    public LedgerSummary takeSummary() {
        LedgerSummary s = LedgerSummary.of(emulator.ledger());
        emulator.ledger().reset();
        return s;
    }

    @Override
    public boolean observes(int layer) {
        return emulator.observes(layer);
    }

    @Override
    public void microBatchStart(int nTokens, int nPast) {
        emulator.microBatchStart(nTokens, nPast);
    }

    @Override
    public void layerStart(int layer) {
        emulator.layerStart(layer);
    }

    @Override
    public boolean observesRouting() {
        return emulator.observesRouting();
    }

    @Override
    public void expertsRouted(int layer, int nTokens, int k, int[] experts) {
        emulator.expertsRouted(layer, nTokens, k, experts);
    }

    @Override
    public void microBatchEnd() {
        emulator.microBatchEnd();
    }
}
