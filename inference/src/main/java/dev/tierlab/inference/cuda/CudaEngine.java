package dev.tierlab.inference.cuda;

import dev.tierlab.emulator.cuda.Cuda;
import dev.tierlab.inference.engine.InferenceEngine;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.java.HostWeights;
import java.nio.file.Path;

/**
 * tierlab's CUDA engine: the Java engine's llama/qwen2 forward pass on the GPU, with f16 weights
 * dequantized at load from any GGUF type the Java engine reads, f32 activations, an HBM-resident
 * f16 KV cache, and the kernels of {@code inference/src/main/cuda/engine.cu} (GEMV for the matrix
 * products: cuBLAS is not assumed on the device). Layer weights live where {@link CudaPlacement}
 * says: HBM, mapped host memory read in place, or pinned host memory staged over PCIe.
 */
public final class CudaEngine implements InferenceEngine {

    private final CudaPlacement placement;

    public CudaEngine(CudaPlacement placement) {
        this.placement = placement;
    }

    @Override
    public String name() {
        return placement.engineName();
    }

    @Override
    public String buildCommit() {
        return "tierlab-cuda";
    }

    @Override
    public LoadedModel load(Path gguf) {
        Cuda.device(); // before any host work: a machine without a GPU says so in one line
        HostWeights w = HostWeights.open(gguf);
        try {
            return new CudaModel(w, placement);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }
}
