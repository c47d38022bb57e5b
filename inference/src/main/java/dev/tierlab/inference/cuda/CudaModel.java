package dev.tierlab.inference.cuda;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaHostAlloc;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocDefault;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocMapped;
import static org.bytedeco.cuda.global.cudart.cudaHostGetDevicePointer;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import dev.tierlab.emulator.cuda.Address;
import dev.tierlab.emulator.cuda.Cuda;
import dev.tierlab.emulator.cuda.CudaModule;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.java.HostWeights;
import dev.tierlab.inference.java.HostWeights.Matrix;
import dev.tierlab.inference.model.ModelInfo;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A model on the GPU: f16 embedding and output head, f32 norms and biases in HBM; each layer's seven
 * matrices in one f16 block, in HBM, in mapped pinned host memory (device alias kept) or in pinned
 * host memory to be staged, as the placement says.
 */
final class CudaModel implements LoadedModel {

    static final String PTX = "/dev/tierlab/inference/cuda/engine.ptx";
    private static final long ALIGN = 256;

    /**
     * One layer: {@code base} is a device address (HBM, or the device alias of mapped host memory)
     * or, for a staged layer, the pinned host address its copies read; {@code offsets} per {@link Matrix}.
     */
    record Layer(CudaPlacement.Tier tier, long base, long[] offsets, long bytes, long attnNorm, long ffnNorm, long bq, long bk, long bv) {
    }

    final HostWeights w;
    final CudaPlacement placement;
    final CudaModule kernels;
    final long embedding;
    final long output;
    final long outputNorm;
    final Layer[] layers;
    final long maxLayerBytes;
    private final List<Long> deviceAllocations = new ArrayList<>();
    private final List<Long> hostAllocations = new ArrayList<>();

    CudaModel(HostWeights w, CudaPlacement placement) {
        this.w = w;
        this.placement = placement;
        if (w.nEmbd() % 8 != 0 || w.nFf() % 8 != 0 || (w.nHead() * w.headDim()) % 8 != 0) {
            throw new IllegalArgumentException("the CUDA engine's GEMV reads rows 8 values at a time; n_embd %d, n_ff %d or n_head*head_dim %d is not a multiple of 8"
                    .formatted(w.nEmbd(), w.nFf(), w.nHead() * w.headDim()));
        }
        try {
            kernels = new CudaModule(CudaModel.class, PTX);
            long embdBytes = 2L * w.nVocab() * w.nEmbd();
            long staging = hostAlloc(embdBytes, cudaHostAllocDefault);
            w.embeddingF16(segment(staging, embdBytes));
            embedding = upload(staging, embdBytes);
            if (w.tiedOutput()) {
                output = embedding;
            } else {
                w.outputF16(segment(staging, embdBytes));
                output = upload(staging, embdBytes);
            }
            outputNorm = floats(w.outputNorm());
            layers = new Layer[w.nLayer()];
            long max = 0;
            for (int l = 0; l < w.nLayer(); l++) {
                long[] offsets = new long[Matrix.values().length];
                long bytes = 0;
                for (Matrix m : Matrix.values()) {
                    offsets[m.ordinal()] = bytes;
                    bytes += align(2L * w.rows(m, l) * w.cols(m, l));
                }
                max = Math.max(max, bytes);
                CudaPlacement.Tier tier = placement.tierOf(l);
                long host = tier == CudaPlacement.Tier.HBM ? (bytes <= embdBytes ? staging : hostAlloc(bytes, cudaHostAllocDefault))
                        : hostAlloc(bytes, tier == CudaPlacement.Tier.HOST_MAPPED ? cudaHostAllocMapped : cudaHostAllocDefault);
                for (Matrix m : Matrix.values()) {
                    w.f16(m, l, segment(host + offsets[m.ordinal()], 2L * w.rows(m, l) * w.cols(m, l)));
                }
                long base = switch (tier) {
                    case HBM -> upload(host, bytes);
                    case HOST_MAPPED -> {
                        Pointer dev = new Pointer();
                        Cuda.check(cudaHostGetDevicePointer(dev, new Address(host), 0), "cudaHostGetDevicePointer(layer " + l + ")");
                        yield dev.address();
                    }
                    case PCIE_PINNED -> host;
                };
                layers[l] = new Layer(tier, base, offsets, bytes, floats(w.attnNorm(l)), floats(w.ffnNorm(l)), floats(w.bias(Matrix.Q, l)),
                        floats(w.bias(Matrix.K, l)), floats(w.bias(Matrix.V, l)));
            }
            maxLayerBytes = max;
        } catch (RuntimeException e) {
            free();
            throw e;
        }
    }

    private static long align(long bytes) {
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    static MemorySegment segment(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    private long hostAlloc(long bytes, int flags) {
        Pointer p = new Pointer();
        Cuda.check(cudaHostAlloc(p, bytes, flags), "cudaHostAlloc(%d bytes)".formatted(bytes));
        hostAllocations.add(p.address());
        return p.address();
    }

    long deviceAlloc(long bytes) {
        Pointer p = new Pointer();
        Cuda.check(cudaMalloc(p, bytes), "cudaMalloc(%d bytes)".formatted(bytes));
        deviceAllocations.add(p.address());
        return p.address();
    }

    private long upload(long host, long bytes) {
        long d = deviceAlloc(bytes);
        Cuda.check(cudaMemcpy(new Address(d), new Address(host), bytes, cudaMemcpyHostToDevice), "cudaMemcpy(weights)");
        return d;
    }

    /** A device copy of {@code v}, or 0 for null (an absent bias). */
    private long floats(float[] v) {
        if (v == null) {
            return 0;
        }
        long d = deviceAlloc(4L * v.length);
        try (FloatPointer h = new FloatPointer(v)) {
            Cuda.check(cudaMemcpy(new Address(d), h, 4L * v.length, cudaMemcpyHostToDevice), "cudaMemcpy(vector)");
        }
        return d;
    }

    /** The device address layer {@code l}'s matrix {@code m} is read from, given the layer block's address. */
    long matrix(long base, int l, Matrix m) {
        return base + layers[l].offsets()[m.ordinal()];
    }

    @Override
    public ModelInfo info() {
        return w.info();
    }

    @Override
    public String description() {
        return "%s %s (%s)".formatted(w.architecture(), w.info().fileType(), placement.engineName());
    }

    @Override
    public long parameterCount() {
        return w.info().params();
    }

    @Override
    public long sizeBytes() {
        return w.info().tensorBytes();
    }

    @Override
    public EngineContext newContext(ContextConfig config, LayerHook hook) {
        return new CudaContext(this, config, hook);
    }

    /** A context freed these device buffers itself. */
    void forget(List<Long> freed) {
        deviceAllocations.removeAll(freed);
    }

    private void free() {
        deviceAllocations.forEach(a -> cudaFree(new Address(a)));
        hostAllocations.forEach(a -> cudaFreeHost(new Address(a)));
        deviceAllocations.clear();
        hostAllocations.clear();
    }

    @Override
    public void close() {
        free();
        if (kernels != null) {
            kernels.close();
        }
        w.close();
    }
}
