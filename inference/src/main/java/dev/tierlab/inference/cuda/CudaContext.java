package dev.tierlab.inference.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventDisableTiming;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaStreamWaitEvent;

import dev.tierlab.emulator.cuda.Address;
import dev.tierlab.emulator.cuda.Cuda;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.ForwardContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.java.HostWeights.Matrix;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * One sequence on the GPU: the f16 KV cache in HBM, f32 activation buffers for n_ubatch tokens, a
 * compute stream, and for staged layers a copy stream with (prefetch + 1) HBM slots. Staged copies
 * run as a pipeline across layers and steps: the copy for the staged-layer execution e + d is
 * issued when execution e starts, into the slot execution e - 1 used, after that one's compute.
 */
final class CudaContext extends ForwardContext {

    private static final int BLOCK = 256;
    private static final int GEMV_ROWS_PER_BLOCK = BLOCK / 32;
    private static final int GEMV_TOKENS = 8; // engine.cu GEMV_TOKENS
    /** Hopper's largest dynamic shared memory per block, bytes. */
    private static final int MAX_SHARED = 227 * 1024;

    private final CudaModel m;
    private final LayerHook hook;
    private final int nEmbd;
    private final int qDim;
    private final int kvDim;
    private final int nFf;
    private final int attentionShared;
    private final CUstream_st compute = new CUstream_st();
    private final List<Long> buffers = new ArrayList<>();
    private final long kCache;
    private final long vCache;
    private final long x;
    private final long xn;
    private final long q;
    private final long k;
    private final long v;
    private final long att;
    private final long o;
    private final long g;
    private final long u;
    private final long ids;
    private final long pos;
    private final long logitsDev;
    private final IntPointer idsHost;
    private final IntPointer posHost = new IntPointer(1);
    private final FloatPointer logitsHost;
    // staging (pcie-pinned layers only)
    private final int[] staged;
    private final CUstream_st copy;
    private final long[] slots;
    private final CUevent_st[] copyDone;
    private final CUevent_st[] computeDone;
    private long stagedExecutions;

    CudaContext(CudaModel m, ContextConfig config, LayerHook hook) {
        if (config.kvType() != GgmlType.F16) {
            throw new IllegalArgumentException("the CUDA engine keeps its KV cache in f16 only");
        }
        super(config, m.w.nVocab());
        this.m = m;
        this.hook = hook;
        nEmbd = m.w.nEmbd();
        qDim = m.w.nHead() * m.w.headDim();
        kvDim = m.w.nHeadKv() * m.w.headDim();
        nFf = m.w.nFf();
        long sharedBytes = 4L * (m.w.headDim() + config.nCtx());
        if (sharedBytes > MAX_SHARED) {
            throw new IllegalArgumentException("n_ctx %d needs %d bytes of shared memory for the attention scores; the GPU has %d per block (n_ctx <= %d)"
                    .formatted(config.nCtx(), sharedBytes, MAX_SHARED, MAX_SHARED / 4 - m.w.headDim()));
        }
        attentionShared = (int) sharedBytes;
        if (attentionShared > 48 * 1024) {
            m.kernels.allowSharedBytes("attention_f16kv", attentionShared);
        }
        Cuda.check(cudaStreamCreateWithFlags(compute, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        int nu = Math.min(config.nUbatch(), config.nCtx());
        long kvBytes = 2L * config.nCtx() * kvDim * m.w.nLayer();
        kCache = alloc(kvBytes);
        vCache = alloc(kvBytes);
        x = alloc(4L * nu * nEmbd);
        xn = alloc(4L * nu * nEmbd);
        q = alloc(4L * nu * qDim);
        k = alloc(4L * nu * kvDim);
        v = alloc(4L * nu * kvDim);
        att = alloc(4L * nu * qDim);
        o = alloc(4L * nu * nEmbd);
        g = alloc(4L * nu * nFf);
        u = alloc(4L * nu * nFf);
        ids = alloc(4L * nu);
        pos = alloc(4);
        logitsDev = alloc(4L * m.w.nVocab());
        idsHost = new IntPointer(nu);
        logitsHost = new FloatPointer(m.w.nVocab());

        staged = java.util.stream.IntStream.range(0, m.w.nLayer()).filter(l -> m.layers[l].tier() == CudaPlacement.Tier.PCIE_PINNED).toArray();
        if (staged.length > 0) {
            int s = m.placement.prefetch() + 1;
            copy = new CUstream_st();
            Cuda.check(cudaStreamCreateWithFlags(copy, cudaStreamNonBlocking), "cudaStreamCreateWithFlags(copy)");
            slots = new long[s];
            copyDone = new CUevent_st[s];
            computeDone = new CUevent_st[s];
            for (int i = 0; i < s; i++) {
                slots[i] = alloc(m.maxLayerBytes);
                copyDone[i] = event();
                computeDone[i] = event();
            }
            for (int e = 0; e < m.placement.prefetch(); e++) {
                issueCopy(e);
            }
        } else {
            copy = null;
            slots = null;
            copyDone = computeDone = null;
        }
    }

    private CUevent_st event() {
        CUevent_st e = new CUevent_st();
        Cuda.check(cudaEventCreateWithFlags(e, cudaEventDisableTiming), "cudaEventCreateWithFlags");
        return e;
    }

    private long alloc(long bytes) {
        long a = m.deviceAlloc(bytes);
        buffers.add(a);
        return a;
    }

    /** Copies the layer of staged execution {@code e} into its slot, after the slot's last compute. */
    private void issueCopy(long e) {
        int s = slots.length;
        int slot = (int) (e % s);
        if (e >= s) {
            Cuda.check(cudaStreamWaitEvent(copy, computeDone[slot], 0), "cudaStreamWaitEvent(copy)");
        }
        CudaModel.Layer layer = m.layers[staged[(int) (e % staged.length)]];
        Cuda.check(cudaMemcpyAsync(new Address(slots[slot]), new Address(layer.base()), layer.bytes(), cudaMemcpyHostToDevice, copy),
                "cudaMemcpyAsync(staged layer)");
        Cuda.check(cudaEventRecord(copyDone[slot], copy), "cudaEventRecord(copy)");
    }

    @Override
    public int[] tokenize(String text, boolean addBos) {
        return m.w.tokenize(text, addBos);
    }

    @Override
    protected int microBatch() {
        return Math.min(config.nUbatch(), config.nCtx());
    }

    @Override
    protected void finish() {
        Cuda.check(cudaStreamSynchronize(compute), "cudaStreamSynchronize");
    }

    private void launch(String name, int gridX, int gridY, int block, int shared, Object... args) {
        m.kernels.launch(name, gridX, gridY, block, shared, compute, args);
    }

    private void gemv(long w, long in, long out, long bias, int rows, int cols, int n) {
        launch("gemv_f16", (rows + GEMV_ROWS_PER_BLOCK - 1) / GEMV_ROWS_PER_BLOCK, (n + GEMV_TOKENS - 1) / GEMV_TOKENS, BLOCK, 0,
                w, in, out, bias, rows, cols, n);
    }

    private static int blocks(long n) {
        return (int) Math.min(4096, (n + BLOCK - 1) / BLOCK);
    }

    @Override
    protected void forward(int[] tokens, int from, int n, boolean wantLogits) {
        hook.microBatchStart(n, position);
        for (int t = 0; t < n; t++) {
            int id = tokens[from + t];
            if (id < 0 || id >= m.w.nVocab()) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + m.w.nVocab());
            }
            idsHost.put(t, id);
        }
        posHost.put(0, position);
        // pageable sources: the call returns once they are staged, so the host buffers can be reused at once
        Cuda.check(cudaMemcpyAsync(new Address(ids), idsHost, 4L * n, cudaMemcpyHostToDevice, compute), "cudaMemcpyAsync(ids)");
        Cuda.check(cudaMemcpyAsync(new Address(pos), posHost, 4, cudaMemcpyHostToDevice, compute), "cudaMemcpyAsync(pos)");
        launch("embed_f16", n, 1, BLOCK, 0, m.embedding, ids, x, nEmbd);
        float scale = (float) (1.0 / Math.sqrt(m.w.headDim()));
        int neox = m.w.ropeNeox() ? 1 : 0;
        for (int l = 0; l < m.w.nLayer(); l++) {
            if (hook.observes(l)) {
                hook.layerStart(l);
            }
            CudaModel.Layer layer = m.layers[l];
            long base = layer.base();
            int slot = -1;
            if (layer.tier() == CudaPlacement.Tier.PCIE_PINNED) {
                long e = stagedExecutions++;
                issueCopy(e + m.placement.prefetch());
                slot = (int) (e % slots.length);
                Cuda.check(cudaStreamWaitEvent(compute, copyDone[slot], 0), "cudaStreamWaitEvent(compute)");
                base = slots[slot];
            }
            long kc = kCache + 2L * config.nCtx() * kvDim * l;
            long vc = vCache + 2L * config.nCtx() * kvDim * l;
            // attention
            launch("rmsnorm_f32", n, 1, BLOCK, 0, x, layer.attnNorm(), xn, nEmbd, m.w.rmsEps());
            gemv(m.matrix(base, l, Matrix.Q), xn, q, layer.bq(), qDim, nEmbd, n);
            gemv(m.matrix(base, l, Matrix.K), xn, k, layer.bk(), kvDim, nEmbd, n);
            gemv(m.matrix(base, l, Matrix.V), xn, v, layer.bv(), kvDim, nEmbd, n);
            launch("rope_f32", n, m.w.nHead(), m.w.headDim() / 2, 0, q, m.w.nHead(), m.w.headDim(), pos, m.w.ropeBase(), ropeFactors(), neox);
            launch("rope_f32", n, m.w.nHeadKv(), m.w.headDim() / 2, 0, k, m.w.nHeadKv(), m.w.headDim(), pos, m.w.ropeBase(), ropeFactors(), neox);
            launch("kv_store_f16", blocks((long) n * kvDim), 1, BLOCK, 0, k, v, kc, vc, n, kvDim, pos);
            launch("attention_f16kv", m.w.nHead(), n, 128, attentionShared, q, kc, vc, att, m.w.nHead(), m.w.nHeadKv(), m.w.headDim(), pos, scale);
            gemv(m.matrix(base, l, Matrix.O), att, o, 0L, nEmbd, qDim, n);
            launch("add_f32", blocks((long) n * nEmbd), 1, BLOCK, 0, x, o, n * nEmbd);
            // feed-forward
            launch("rmsnorm_f32", n, 1, BLOCK, 0, x, layer.ffnNorm(), xn, nEmbd, m.w.rmsEps());
            gemv(m.matrix(base, l, Matrix.GATE), xn, g, 0L, nFf, nEmbd, n);
            gemv(m.matrix(base, l, Matrix.UP), xn, u, 0L, nFf, nEmbd, n);
            launch("swiglu_f32", blocks((long) n * nFf), 1, BLOCK, 0, g, u, n * nFf);
            gemv(m.matrix(base, l, Matrix.DOWN), g, o, 0L, nEmbd, nFf, n);
            launch("add_f32", blocks((long) n * nEmbd), 1, BLOCK, 0, x, o, n * nEmbd);
            if (slot >= 0) {
                Cuda.check(cudaEventRecord(computeDone[slot], compute), "cudaEventRecord(compute)");
            }
        }
        if (hook.observes(m.w.nLayer())) {
            hook.layerStart(m.w.nLayer());
        }
        if (wantLogits) {
            long last = x + 4L * (n - 1) * nEmbd;
            launch("rmsnorm_f32", 1, 1, BLOCK, 0, last, m.outputNorm, xn, nEmbd, m.w.rmsEps());
            gemv(m.output, xn, logitsDev, 0L, m.w.nVocab(), nEmbd, 1);
            Cuda.check(cudaMemcpyAsync(logitsHost, new Address(logitsDev), 4L * logits.length, cudaMemcpyDeviceToHost, compute), "cudaMemcpyAsync(logits)");
            Cuda.check(cudaStreamSynchronize(compute), "cudaStreamSynchronize");
            logitsHost.get(logits);
        }
        position += n;
        hook.microBatchEnd();
    }

    private long ropeFactorsDev = -1;

    /** The device copy of the rope frequency factors (llama 3), made on first use, or 0. */
    private long ropeFactors() {
        if (ropeFactorsDev < 0) {
            float[] f = m.w.ropeFreqFactors();
            if (f == null) {
                ropeFactorsDev = 0;
            } else {
                ropeFactorsDev = alloc(4L * f.length);
                try (FloatPointer h = new FloatPointer(f)) {
                    Cuda.check(cudaMemcpyAsync(new Address(ropeFactorsDev), h, 4L * f.length, cudaMemcpyHostToDevice, compute), "cudaMemcpyAsync(rope factors)");
                    Cuda.check(cudaStreamSynchronize(compute), "cudaStreamSynchronize");
                }
            }
        }
        return ropeFactorsDev;
    }

    @Override
    public int bosToken() {
        return m.w.bos();
    }

    @Override
    public int vocabularySize() {
        return m.w.nVocab();
    }

    @Override
    public void close() {
        cudaStreamSynchronize(compute);
        if (copy != null) {
            cudaStreamSynchronize(copy);
            for (int i = 0; i < slots.length; i++) {
                cudaEventDestroy(copyDone[i]);
                cudaEventDestroy(computeDone[i]);
            }
            cudaStreamDestroy(copy);
        }
        cudaStreamDestroy(compute);
        buffers.forEach(a -> cudaFree(new Address(a)));
        m.forget(buffers);
        idsHost.close();
        posHost.close();
        logitsHost.close();
    }
}
