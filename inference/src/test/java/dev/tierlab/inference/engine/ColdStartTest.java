package dev.tierlab.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** llama.cpp on a ~90 MB model: what the old cold start left resident, and what eviction after the load leaves. */
class ColdStartTest {

    @Test
    void llamaCppReadsTheModelBackAtLoadAndEvictionAfterTheLoadMakesTheFirstTokenCold() {
        Path model = TestModels.model("small", QuantMix.Q8_0, 2);
        ColdStart.Load cl = ColdStart.load(new LlamaCppEngine(), model);
        try (LoadedModel m = cl.model()) {
            assertEquals(0, cl.dropResult());
            assertTrue(cl.beforeLoad().fraction() < 0.05, "dropped before the load: " + cl.beforeLoad());
            assertTrue(cl.loadNanos() > 0);
            // the old cold start stopped here: llama.cpp's MAP_POPULATE read it all back
            assertTrue(cl.afterLoad().fraction() > 0.9, "resident after llama.cpp's load: " + cl.afterLoad());

            try (EngineContext ctx = m.newContext(ContextConfig.defaults(64, 1), LayerHook.NONE)) {
                assertTrue(PageCache.mappings(model).size() >= 1, "llama.cpp maps the model");
                PageCache.Eviction ev = PageCache.evict(model);
                assumeTrue(ev.pageoutErrno() != 22, "this kernel refuses MADV_PAGEOUT: " + ev.problem());
                assertTrue(ev.after().fraction() < 0.05, "before the first token: " + ev.after() + "; " + ev.problem());
                assertTrue(ev.cold(), ev.problem());

                ctx.prefill(new int[] {Math.max(0, ctx.bosToken()), 1, 2, 3});
                // the layers and the output matrix come back from the disk; of the embeddings, only 4 rows
                double after = PageCache.residentFraction(model);
                assertTrue(after > 0.3, "the first token read the weights back: " + after);
            }
        }
    }
}
