package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.tierlab.inference.engine.LayerHook;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@code cb_eval} upcall that turns llama.cpp's graph evaluation into layer-boundary events.
 *
 * <p>ggml_backend_sched asks about each node ({@code ask=true}) until the callback answers true,
 * computes the nodes up to that one, then shows it again with {@code ask=false}. Answering true for
 * {@code l_out-N} (a layer's last node) splits the graph between layers N and N+1, so the asks for
 * the next segment come exactly when layer N+1 is about to start: the ask for
 * {@code attn_norm-(N+1)} (or {@code result_norm} for the output head) is where the hook runs.
 * Each split costs a graph launch, so the graph is split only before layers the hook observes.
 * In the data phase the answer is always true: false would silently stop the graph and leave wrong
 * logits. Exceptions never leave the upcall; the first one is kept and rethrown by the engine after
 * llama_decode returns.
 *
 * <p>All contexts share one upcall stub, made once: the context's {@code cb_eval_user_data} names its
 * callback's slot in a registry. An upcall stub per context cost about 150 KB of resident memory each
 * (generated code and metadata that closing its arena did not give back), a leak over thousands of
 * contexts.
 */
final class LayerBoundaryCallback {

    private static final byte[] LAYER_START = "attn_norm-".getBytes();
    private static final byte[] LAYER_END = "l_out-".getBytes();
    private static final byte[] OUTPUT_HEAD = "result_norm\0".getBytes();
    /** build_moe_ffn's top-k view of the router's argsort: [n_expert_used, n_tokens] I32 expert ids. */
    private static final byte[] MOE_TOPK = "ffn_moe_topk-".getBytes();

    /** Live callbacks by slot (null: free); user_data is slot + 1, so that it is never NULL. */
    private static volatile AtomicReferenceArray<LayerBoundaryCallback> slots = new AtomicReferenceArray<>(16);
    /** Guards taking and freeing slots and growing {@link #slots}; the dispatch reads without it. */
    private static final Object SLOTS_LOCK = new Object();

    /** The one upcall stub, in the global arena. */
    private static final class Stub {
        static final MemorySegment STUB;

        static {
            try {
                MethodHandle target = MethodHandles.lookup().findStatic(LayerBoundaryCallback.class, "dispatch",
                        MethodType.methodType(boolean.class, MemorySegment.class, boolean.class, MemorySegment.class));
                STUB = Linker.nativeLinker().upcallStub(target, FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_BOOLEAN, ADDRESS),
                        Arena.global());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final LayerHook hook;
    private final int nLayer;
    private final int slot;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private int lastLayer = Integer.MAX_VALUE;
    private int position;
    private boolean inMicroBatch;
    private final boolean routing;
    private int[] experts = new int[0];

    /** Registers the callback; {@link #release} must follow when its context is freed. */
    LayerBoundaryCallback(LayerHook hook, int nLayer) {
        this.hook = hook;
        this.nLayer = nLayer;
        this.routing = hook.observesRouting();
        synchronized (SLOTS_LOCK) {
            int s = 0;
            while (s < slots.length() && slots.get(s) != null) {
                s++;
            }
            if (s >= slots.length()) {
                AtomicReferenceArray<LayerBoundaryCallback> grown = new AtomicReferenceArray<>(2 * slots.length());
                for (int i = 0; i < slots.length(); i++) {
                    grown.set(i, slots.get(i));
                }
                slots = grown;
            }
            slots.set(s, this);
            slot = s;
        }
    }

    /** The shared cb_eval function pointer. */
    static MemorySegment stub() {
        return Stub.STUB;
    }

    /** The cb_eval_user_data that routes the shared stub to this callback. */
    MemorySegment userData() {
        return MemorySegment.ofAddress(slot + 1L);
    }

    /** Frees the slot; call after the context that calls back has been freed. */
    void release() {
        synchronized (SLOTS_LOCK) {
            if (slots.get(slot) == this) { // a second release must not free a slot that another context took since
                slots.set(slot, null);
            }
        }
    }

    /** The shared stub's target: the callback of the calling context, or "nothing to see" if it is gone. */
    @SuppressWarnings("unused")
    private static boolean dispatch(MemorySegment tensor, boolean ask, MemorySegment userData) {
        long s = userData.address() - 1;
        AtomicReferenceArray<LayerBoundaryCallback> live = slots;
        LayerBoundaryCallback cb = s >= 0 && s < live.length() ? live.get((int) s) : null;
        // Without a callback: skip every node in the ask phase, and never stop the graph in the data phase.
        return cb == null ? !ask : cb.onEval(tensor, ask);
    }

    /** Called by the engine before llama_decode: the KV position of the batch's first token. */
    void beginDecode(int nPast) {
        position = nPast;
        lastLayer = Integer.MAX_VALUE;
    }

    /** Called by the engine after llama_decode returns; rethrows a failure from inside the upcall. */
    void endDecode() {
        if (inMicroBatch) {
            inMicroBatch = false;
            hook.microBatchEnd();
        }
        Throwable t = failure.getAndSet(null);
        if (t != null) {
            throw new IllegalStateException("layer hook failed inside llama_decode: " + t, t);
        }
    }

    private boolean onEval(MemorySegment tensor, boolean ask) {
        if (!ask) {
            if (routing) {
                try {
                    MemorySegment t = tensor.reinterpret(LlamaStructs.TENSOR_SIZE);
                    if (startsWith(t, MOE_TOPK)) {
                        readExperts(t);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }
            return true;
        }
        try {
            MemorySegment t = tensor.reinterpret(LlamaStructs.TENSOR_SIZE);
            if (routing && startsWith(t, MOE_TOPK)) {
                return true; // computed before the data phase shows it: its ids are then readable
            }
            if (startsWith(t, LAYER_END)) {
                return hook.observes(parseLayer(t, LAYER_END.length) + 1);
            }
            if (startsWith(t, OUTPUT_HEAD)) {
                if (hook.observes(nLayer)) {
                    hook.layerStart(nLayer);
                }
                return false;
            }
            if (startsWith(t, LAYER_START)) {
                int layer = parseLayer(t, LAYER_START.length);
                if (layer <= lastLayer) {
                    // Layer numbers restart: a new ubatch of the same llama_decode call.
                    int nTokens = (int) t.get(JAVA_LONG_UNALIGNED, LlamaStructs.TENSOR_NE + 8);
                    if (inMicroBatch) {
                        hook.microBatchEnd();
                    }
                    hook.microBatchStart(nTokens, position);
                    position += nTokens;
                    inMicroBatch = true;
                }
                lastLayer = layer;
                if (hook.observes(layer)) {
                    hook.layerStart(layer);
                }
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
        return false;
    }

    /** Reads the computed top-k view (ne0 = k ids per token, row stride nb1) and hands it to the hook. */
    private void readExperts(MemorySegment t) {
        int layer = parseLayer(t, MOE_TOPK.length);
        int k = (int) t.get(JAVA_LONG_UNALIGNED, LlamaStructs.TENSOR_NE);
        int nTokens = (int) t.get(JAVA_LONG_UNALIGNED, LlamaStructs.TENSOR_NE + 8);
        long rowStride = t.get(JAVA_LONG_UNALIGNED, LlamaStructs.TENSOR_NB + 8);
        long elementStride = t.get(JAVA_LONG_UNALIGNED, LlamaStructs.TENSOR_NB);
        if (nTokens == 0) {
            // The last block of a micro-batch that outputs no logits routes no token.
            hook.expertsRouted(layer, 0, k, experts);
            return;
        }
        MemorySegment data = t.get(ADDRESS, LlamaStructs.TENSOR_DATA);
        if (data.address() == 0) {
            MemorySegment src = t.get(ADDRESS, LlamaStructs.TENSOR_VIEW_SRC).reinterpret(LlamaStructs.TENSOR_SIZE);
            data = MemorySegment.ofAddress(src.get(ADDRESS, LlamaStructs.TENSOR_DATA).address()
                    + t.get(JAVA_LONG_UNALIGNED, LlamaStructs.TENSOR_VIEW_OFFS));
        }
        data = data.reinterpret(rowStride * (nTokens - 1) + elementStride * k);
        if (experts.length < k * nTokens) {
            experts = new int[k * nTokens];
        }
        for (int i = 0; i < nTokens; i++) {
            for (int j = 0; j < k; j++) {
                experts[i * k + j] = data.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, i * rowStride + j * elementStride);
            }
        }
        hook.expertsRouted(layer, nTokens, k, experts);
    }

    private static boolean startsWith(MemorySegment t, byte[] prefix) {
        long base = LlamaStructs.TENSOR_NAME;
        for (int i = 0; i < prefix.length; i++) {
            if (t.get(JAVA_BYTE, base + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int parseLayer(MemorySegment t, int from) {
        int v = 0;
        for (int i = from; i < LlamaStructs.TENSOR_NAME_MAX; i++) {
            byte c = t.get(JAVA_BYTE, LlamaStructs.TENSOR_NAME + i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
