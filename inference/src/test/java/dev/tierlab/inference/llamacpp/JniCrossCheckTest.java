package dev.tierlab.inference.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The artifact's own JNI path (its llama.cpp server code) and tierlab's FFM bindings must generate
 * the same greedy text from the same model and prompt: an end-to-end check of the struct layouts,
 * the batch handling and the logits read.
 */
class JniCrossCheckTest {

    @Test
    void ffmAndJniGenerateTheSameGreedyText() {
        Path model = TestModels.tiny(QuantMix.Q8_0);
        String prompt = "Once upon a time the model";
        int n = 12;

        int[] ffmTokens = new int[n];
        try (LoadedModel m = new LlamaCppEngine().load(model);
             EngineContext ctx = m.newContext(ContextConfig.defaults(128, 2), LayerHook.NONE)) {
            ctx.prefill(ctx.tokenize(prompt, true));
            for (int i = 0; i < n; i++) {
                ffmTokens[i] = ctx.greedyToken();
                ctx.decode(ffmTokens[i]);
            }
        }

        // Let the JNI loader open the very file tierlab already mapped: one llama.cpp in the process.
        System.setProperty("de.kherud.llama.lib.path", NativeLibrary.extract().getParent().toString());
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        try (LlamaModel jni = new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(128)
                .setThreads(2).setGpuLayers(0))) {
            String jniText = jni.complete(new InferenceParameters(prompt).setNPredict(n).setTemperature(0f)
                    .setIgnoreEos(true).setSeed(1));
            String ffmText = jni.decode(ffmTokens);
            assertFalse(ffmText.isEmpty());
            assertEquals(ffmText, jniText);
        }
    }
}
