package dev.tierlab.inference.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tierlab.inference.bench.BenchConfig;
import dev.tierlab.inference.bench.BenchResult;
import dev.tierlab.inference.bench.BenchRunner;
import dev.tierlab.inference.bench.BenchSample;
import dev.tierlab.inference.bench.BenchTest;
import dev.tierlab.inference.bench.HookMode;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tierlab's pp/tg figures and llama.cpp's own llama_perf_context figures time the same work, so they
 * must agree closely (within 2%). Not a speed assertion: both clocks read the same runs.
 */
class CounterAgreementTest {

    private static double median(BenchResult r, java.util.function.ToDoubleFunction<BenchSample> ratio) {
        double[] v = r.samples().stream().mapToDouble(ratio).sorted().toArray();
        return v[v.length / 2];
    }

    @Test
    void tierlabAndLlamaCppAgreeOnPromptAndGenerationThroughput() {
        // The 'small' shape cut to 4 layers: large enough that a decode step is milliseconds.
        try (LoadedModel model = new LlamaCppEngine().load(TestModels.model("small", QuantMix.Q8_0, 4))) {
            BenchConfig config = new BenchConfig(List.of(new BenchTest(128, 32, 0)), 5, 1, List.of(2), 2048, 512,
                    GgmlType.F16, List.of(HookMode.NONE.named()), 1);
            BenchResult r = new BenchRunner("llama.cpp", model, config, BenchRunner.Listener.NONE).run().getFirst();
            for (BenchSample s : r.samples()) {
                assertEquals(128, s.counters().nPromptEval());
                assertEquals(32, s.counters().nEval());
            }
            // The median over repetitions, so one preemption between llama_synchronize and our clock
            // read on a shared machine does not decide the outcome.
            double pp = median(r, s -> s.promptTokensPerSecond(r.test()) / s.counters().promptTokensPerSecond());
            double tg = median(r, s -> s.genTokensPerSecond(r.test()) / s.counters().evalTokensPerSecond());
            assertEquals(1.0, pp, 0.02, "tierlab pp / llama.cpp pp");
            assertEquals(1.0, tg, 0.02, "tierlab tg / llama.cpp tg");
        }
    }
}
