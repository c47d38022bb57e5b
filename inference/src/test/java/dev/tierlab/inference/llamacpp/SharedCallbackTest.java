package dev.tierlab.inference.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.TestModels;
import org.junit.jupiter.api.Test;

/**
 * All contexts share one eval upcall stub, which dispatches by cb_eval_user_data to the context's
 * callback slot: contexts open side by side, and one that takes over a closed context's slot, each
 * see their own calls only.
 */
class SharedCallbackTest {

    static final class Count implements LayerHook {
        int steps;
        int layers;

        @Override
        public void layerStart(int layer) {
            layers++;
        }

        @Override
        public void microBatchStart(int nTokens, int nPast) {
            steps++;
        }
    }

    @Test
    void eachContextSeesOnlyItsOwnSteps() {
        try (LoadedModel m = new LlamaCppEngine().load(TestModels.tiny(QuantMix.Q8_0))) {
            int perStep = m.info().nLayer() + 1;
            Count a = new Count();
            Count b = new Count();
            Count c = new Count();
            try (EngineContext cb = m.newContext(ContextConfig.defaults(64, 1), b)) {
                EngineContext ca = m.newContext(ContextConfig.defaults(64, 1), a);
                ca.decode(1);
                ca.decode(2);
                ca.decode(3);
                cb.decode(1);
                ca.close(); // c takes over a's slot
                try (EngineContext cc = m.newContext(ContextConfig.defaults(64, 1), c)) {
                    cc.decode(1);
                    cb.decode(2);
                    cc.decode(2);
                }
            }
            assertEquals(3, a.steps);
            assertEquals(2, b.steps);
            assertEquals(2, c.steps);
            assertEquals(3 * perStep, a.layers, "every layer boundary of a's steps, the output head included");
            assertEquals(2 * perStep, b.layers);
            assertEquals(2 * perStep, c.layers);
        }
    }
}
