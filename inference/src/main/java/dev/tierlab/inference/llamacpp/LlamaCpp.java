package dev.tierlab.inference.llamacpp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Typed downcalls into the llama.cpp C API exported by libjllama.so (build b4916). One instance per
 * process: the library is loaded, its backend initialised and its log routed once.
 */
public final class LlamaCpp {

    /** The llama.cpp build bundled in de.kherud:llama 4.2.0. */
    public static final String BUILD_COMMIT = "c6af2161";
    public static final int BUILD_NUMBER = 4916;

    private static volatile LlamaCpp instance;

    private final MethodHandle modelDefaultParams;
    private final MethodHandle contextDefaultParams;
    private final MethodHandle modelLoadFromFile;
    private final MethodHandle modelFree;
    private final MethodHandle initFromModel;
    private final MethodHandle free;
    private final MethodHandle modelGetVocab;
    private final MethodHandle vocabNTokens;
    private final MethodHandle vocabBos;
    private final MethodHandle vocabGetAddBos;
    private final MethodHandle tokenize;
    private final MethodHandle decode;
    private final MethodHandle synchronize;
    private final MethodHandle getLogitsIth;
    private final MethodHandle kvSelfClear;
    private final MethodHandle kvSelfSeqRm;
    private final MethodHandle kvSelfDefrag;
    private final MethodHandle kvSelfUpdate;
    private final MethodHandle perfContext;
    private final MethodHandle perfContextReset;
    private final MethodHandle modelDesc;
    private final MethodHandle modelNParams;
    private final MethodHandle modelSize;
    private final MethodHandle printSystemInfo;
    private final MethodHandle logSet;

    private LlamaCpp(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        Binder b = new Binder(linker, lib);
        modelDefaultParams = b.bind("llama_model_default_params", FunctionDescriptor.of(LlamaStructs.MODEL_PARAMS));
        contextDefaultParams = b.bind("llama_context_default_params", FunctionDescriptor.of(LlamaStructs.CONTEXT_PARAMS));
        modelLoadFromFile = b.bind("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, LlamaStructs.MODEL_PARAMS));
        modelFree = b.bind("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        initFromModel = b.bind("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, LlamaStructs.CONTEXT_PARAMS));
        free = b.bind("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        modelGetVocab = b.bind("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        vocabNTokens = b.bind("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabBos = b.bind("llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabGetAddBos = b.bind("llama_vocab_get_add_bos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        tokenize = b.bind("llama_tokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_BOOLEAN, JAVA_BOOLEAN));
        decode = b.bind("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, LlamaStructs.BATCH));
        synchronize = b.bind("llama_synchronize", FunctionDescriptor.ofVoid(ADDRESS));
        getLogitsIth = b.bind("llama_get_logits_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        kvSelfClear = b.bind("llama_kv_self_clear", FunctionDescriptor.ofVoid(ADDRESS));
        // b4916's name; later builds call it llama_memory_seq_rm. Positions [p0, p1), -1 meaning "to the end".
        kvSelfDefrag = b.bind("llama_kv_self_defrag", FunctionDescriptor.ofVoid(ADDRESS));
        kvSelfUpdate = b.bind("llama_kv_self_update", FunctionDescriptor.ofVoid(ADDRESS));
        kvSelfSeqRm = b.bind("llama_kv_self_seq_rm", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        perfContext = b.bind("llama_perf_context", FunctionDescriptor.of(LlamaStructs.PERF_CONTEXT_DATA, ADDRESS));
        perfContextReset = b.bind("llama_perf_context_reset", FunctionDescriptor.ofVoid(ADDRESS));
        modelDesc = b.bind("llama_model_desc", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        modelNParams = b.bind("llama_model_n_params", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        modelSize = b.bind("llama_model_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        printSystemInfo = b.bind("llama_print_system_info", FunctionDescriptor.of(ADDRESS));
        logSet = b.bind("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        MethodHandle backendInit = b.bind("llama_backend_init", FunctionDescriptor.ofVoid());
        try {
            logSet.invokeExact(LlamaLog.upcallStub(), MemorySegment.NULL);
            backendInit.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("llama_backend_init failed", t);
        }
    }

    /** Loads the library on first use. */
    public static LlamaCpp get() {
        LlamaCpp l = instance;
        if (l == null) {
            synchronized (LlamaCpp.class) {
                l = instance;
                if (l == null) {
                    l = new LlamaCpp(NativeLibrary.open());
                    instance = l;
                }
            }
        }
        return l;
    }

    private record Binder(Linker linker, SymbolLookup lib) {
        MethodHandle bind(String name, FunctionDescriptor fd) {
            MemorySegment sym = lib.find(name).orElseThrow(() -> new IllegalStateException(
                    "libjllama.so does not export " + name + " (expected llama.cpp build " + BUILD_NUMBER + ")"));
            return linker.downcallHandle(sym, fd);
        }
    }

    // Each wrapper rethrows as unchecked: a failed downcall is a bug or a broken library, not user input.

    MemorySegment modelDefaultParams(SegmentAllocator a) {
        try {
            return (MemorySegment) modelDefaultParams.invokeExact(a);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment contextDefaultParams(SegmentAllocator a) {
        try {
            return (MemorySegment) contextDefaultParams.invokeExact(a);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment modelLoadFromFile(MemorySegment path, MemorySegment params) {
        try {
            return (MemorySegment) modelLoadFromFile.invokeExact(path, params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void modelFree(MemorySegment model) {
        try {
            modelFree.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment initFromModel(MemorySegment model, MemorySegment params) {
        try {
            return (MemorySegment) initFromModel.invokeExact(model, params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void free(MemorySegment ctx) {
        try {
            free.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment modelGetVocab(MemorySegment model) {
        try {
            return (MemorySegment) modelGetVocab.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int vocabNTokens(MemorySegment vocab) {
        try {
            return (int) vocabNTokens.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int vocabBos(MemorySegment vocab) {
        try {
            return (int) vocabBos.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    boolean vocabGetAddBos(MemorySegment vocab) {
        try {
            return (boolean) vocabGetAddBos.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int tokenize(MemorySegment vocab, MemorySegment text, int textLen, MemorySegment tokens, int maxTokens,
            boolean addSpecial, boolean parseSpecial) {
        try {
            return (int) tokenize.invokeExact(vocab, text, textLen, tokens, maxTokens, addSpecial, parseSpecial);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int decode(MemorySegment ctx, MemorySegment batch) {
        try {
            return (int) decode.invokeExact(ctx, batch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void synchronize(MemorySegment ctx) {
        try {
            synchronize.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment getLogitsIth(MemorySegment ctx, int i) {
        try {
            return (MemorySegment) getLogitsIth.invokeExact(ctx, i);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void kvSelfClear(MemorySegment ctx) {
        try {
            kvSelfClear.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    boolean kvSelfSeqRm(MemorySegment ctx, int seq, int p0, int p1) {
        try {
            return (boolean) kvSelfSeqRm.invokeExact(ctx, seq, p0, p1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Compacts the KV cache now (llama_kv_self_defrag schedules it, llama_kv_self_update applies it). */
    void kvSelfDefragNow(MemorySegment ctx) {
        try {
            kvSelfDefrag.invokeExact(ctx);
            kvSelfUpdate.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment perfContext(SegmentAllocator a, MemorySegment ctx) {
        try {
            return (MemorySegment) perfContext.invokeExact(a, ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void perfContextReset(MemorySegment ctx) {
        try {
            perfContextReset.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    String modelDesc(MemorySegment model) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            int n = (int) modelDesc.invokeExact(model, buf, 256L);
            return n < 0 ? "?" : buf.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long modelNParams(MemorySegment model) {
        try {
            return (long) modelNParams.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long modelSize(MemorySegment model) {
        try {
            return (long) modelSize.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** llama.cpp's CPU feature line (AVX2, FMA, ...), for run environment records. */
    public String systemInfo() {
        try {
            MemorySegment s = (MemorySegment) printSystemInfo.invokeExact();
            return s.reinterpret(4096).getString(0).trim();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
