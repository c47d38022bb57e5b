package dev.tierlab.inference.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.EngineCounters;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgufFormatException;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.TestModels;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaCppEngineTest {

    private final LlamaCppEngine engine = new LlamaCppEngine();

    @Test
    void generatesGreedilyAndDeterministicallyOnASynthesizedModel() {
        try (LoadedModel model = engine.load(TestModels.tiny(QuantMix.F16))) {
            assertEquals(model.info().params(), model.parameterCount());
            int[] first = generate(model, LayerHook.NONE, 16);
            int[] second = generate(model, LayerHook.NONE, 16);
            assertArrayEquals(first, second);
            assertTrue(Arrays.stream(first).allMatch(t -> t >= 0 && t < 4096));
            assertTrue(Arrays.stream(first).distinct().count() > 1, "greedy output is not constant: " + Arrays.toString(first));
        }
    }

    @Test
    void quantizedMixesLoadAndRun() {
        for (QuantMix mix : List.of(QuantMix.Q8_0, QuantMix.Q4_0, QuantMix.Q4_K_M)) {
            try (LoadedModel model = engine.load(TestModels.tiny(mix))) {
                assertEquals(8, generate(model, LayerHook.NONE, 8).length);
            }
        }
    }

    @Test
    void layerHookSeesEveryLayerOfEveryMicroBatchAndChangesNoResult() {
        try (LoadedModel model = engine.load(TestModels.tiny(QuantMix.F16))) {
            RecordingHook hook = new RecordingHook();
            int[] hooked = generate(model, hook, 8);
            assertArrayEquals(generate(model, LayerHook.NONE, 8), hooked, "the hook must not change the computation");
            int nLayer = model.info().nLayer();
            // prompt (one ubatch) + 8 decode steps, each: start, layers 0..n-1 and the output head n, end
            assertEquals(9, hook.starts.size());
            assertEquals(9 * (nLayer + 1), hook.layers.size());
            for (int i = 0; i < hook.layers.size(); i++) {
                assertEquals(i % (nLayer + 1), hook.layers.get(i));
            }
            int promptLength = hook.starts.getFirst()[0];
            assertEquals(0, hook.starts.getFirst()[1]);
            for (int s = 1; s < 9; s++) {
                assertArrayEquals(new int[] {1, promptLength + s - 1}, hook.starts.get(s));
            }
            assertEquals(9, hook.ends);
        }
    }

    @Test
    void aHookIsCalledOnlyForTheLayersItObserves() {
        try (LoadedModel model = engine.load(TestModels.tiny(QuantMix.F16))) {
            RecordingHook hook = new RecordingHook() {
                @Override
                public boolean observes(int layer) {
                    return layer == 1 || layer == 3;
                }
            };
            int[] hooked = generate(model, hook, 4);
            assertArrayEquals(generate(model, LayerHook.NONE, 4), hooked);
            assertEquals(5, hook.starts.size(), "micro-batches are seen even where no layer is observed");
            assertEquals(List.of(1, 3, 1, 3, 1, 3, 1, 3, 1, 3), hook.layers);
        }
    }

    @Test
    void promptsLongerThanTheUbatchArriveAsSeveralMicroBatches() {
        try (LoadedModel model = engine.load(TestModels.tiny(QuantMix.F16))) {
            RecordingHook hook = new RecordingHook();
            try (EngineContext ctx = model.newContext(new ContextConfig(256, 128, 32, 2, 2,
                    dev.tierlab.inference.gguf.GgmlType.F16), hook)) {
                int[] prompt = new int[100];
                Arrays.fill(prompt, 300);
                ctx.prefill(prompt);
                assertEquals(100, ctx.position());
            }
            assertEquals(List.of(32, 32, 32, 4), hook.starts.stream().map(s -> s[0]).toList());
            assertEquals(List.of(0, 32, 64, 96), hook.starts.stream().map(s -> s[1]).toList());
        }
    }

    @Test
    void anExceptionInTheHookSurfacesAfterDecodeInsteadOfKillingTheJvm() {
        try (LoadedModel model = engine.load(TestModels.tiny(QuantMix.F16));
             EngineContext ctx = model.newContext(ContextConfig.defaults(64, 2), layer -> {
                 throw new IllegalStateException("boom in layer " + layer);
             })) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ctx.decode(1));
            assertTrue(e.getMessage().contains("boom in layer 0"), e.getMessage());
        }
    }

    @Test
    void corruptModelsGetTierlabsOneLineError(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.gguf");
        byte[] good = Files.readAllBytes(TestModels.tiny(QuantMix.F16));
        Files.write(bad, Arrays.copyOf(good, good.length / 2));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> engine.load(bad));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void manyContextsAndModelsOpenAndCloseWithoutLeaking() {
        Path file = TestModels.tiny(QuantMix.Q8_0);
        // One-time growth (backend set-up, malloc arenas, the JIT compiling the upcall path) is not a
        // leak: it is paid before the baseline is taken, over 100 hooked contexts (about 50 MiB were
        // measured over the first 100). Nor is the Java heap growing its committed size (G1 may do
        // that in the middle of the loop): that part of the resident growth is taken off. On a busy
        // machine, resident size also grows in phases of about 2 MiB per model load, with this code
        // and before it alike, then stays flat: it can fail this test there.
        openAndClose(file, 10);
        long rssBefore = rssKiB();
        long heapBefore = heapCommittedKiB();
        openAndClose(file, 30);
        long grownMiB = (rssKiB() - rssBefore - Math.max(0, heapCommittedKiB() - heapBefore)) / 1024;
        assertTrue(grownMiB < 64, "resident memory outside the Java heap grew by " + grownMiB + " MiB over 300 contexts");
    }

    private static long heapCommittedKiB() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    }

    /** Loads the model {@code models} times and opens, decodes in and closes 10 contexts on each. */
    private void openAndClose(Path file, int models) {
        for (int i = 0; i < models; i++) {
            try (LoadedModel model = engine.load(file)) {
                for (int j = 0; j < 10; j++) {
                    try (EngineContext ctx = model.newContext(ContextConfig.defaults(64, 1), new RecordingHook())) {
                        ctx.decode(1);
                    }
                }
            }
        }
    }

    /**
     * Resident set in KiB, after glibc has handed its free heap pages back (malloc_trim): memory that
     * llama.cpp freed but the allocator still caches in its arenas is not a leak, and how much of it
     * stays cached depends on how many threads the machine's load made the allocator use.
     */
    private static long rssKiB() {
        try {
            var trim = java.lang.foreign.Linker.nativeLinker().defaultLookup().find("malloc_trim");
            if (trim.isPresent()) {
                int released = (int) java.lang.foreign.Linker.nativeLinker().downcallHandle(trim.get(),
                        java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_LONG))
                        .invokeExact(0L);
            }
        } catch (Throwable t) {
            throw new AssertionError("malloc_trim", t);
        }
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    static int[] generate(LoadedModel model, LayerHook hook, int n) {
        try (EngineContext ctx = model.newContext(ContextConfig.defaults(256, 2), hook)) {
            int[] prompt = ctx.tokenize("Once upon a time", true);
            assertEquals(ctx.bosToken(), prompt[0]);
            assertTrue(prompt.length >= 3, Arrays.toString(prompt));
            ctx.prefill(prompt);
            int[] out = new int[n];
            for (int i = 0; i < out.length; i++) {
                out[i] = ctx.greedyToken();
                ctx.decode(out[i]);
            }
            EngineCounters c = ctx.counters();
            assertEquals(prompt.length, c.nPromptEval());
            assertEquals(n, c.nEval());
            return out;
        }
    }

    static class RecordingHook implements LayerHook {
        final List<int[]> starts = new ArrayList<>();
        final List<Integer> layers = new ArrayList<>();
        int ends;

        @Override
        public void microBatchStart(int nTokens, int nPast) {
            starts.add(new int[] {nTokens, nPast});
        }

        @Override
        public void layerStart(int layer) {
            layers.add(layer);
        }

        @Override
        public void microBatchEnd() {
            ends++;
        }
    }
}
