package dev.tierlab.inference.cuda;

import dev.tierlab.emulator.cuda.CudaUnavailableException;
import dev.tierlab.inference.engine.ContextConfig;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.java.HostWeights;
import dev.tierlab.inference.java.JavaEngine;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The CUDA engine against the Java engine on the same GGUF (scripts/device-check runs it). The Java
 * engine decodes greedily; the CUDA engine is fed the same tokens (teacher forcing, so one
 * disagreement does not change every later step), and after the prompt and every decoded token the
 * two logit vectors are compared.
 * <ul>
 *   <li><b>Logits.</b> Tolerance tol = 0.01 x max(1, max |Java logit|) on the largest absolute
 *       difference. Both engines round activations to f16 where they meet f16 weights and the KV
 *       cache; what remains is f32 summation order (warp trees against two Java accumulators).</li>
 *   <li><b>Tokens and ties.</b> Random weights make near-ties. Where the Java engine's top-2 margin
 *       exceeds 2 x tol, logits within tol cannot swap the argmax, so the greedy tokens must be
 *       equal; steps with a smaller margin are near-ties, counted and reported, and not held
 *       against the engine.</li>
 * </ul>
 * Usage: {@code CudaCheck MODEL.gguf [PROMPT_TOKENS] [GENERATE] [ENGINE]}; exit 0 when both hold,
 * 1 when not, 2 when no GPU can be used.
 */
public final class CudaCheck {

    public record Result(int steps, int nearTies, int tokenMismatches, double maxAbsDiff, double worstTolerance, int logitFailures) {
        public boolean passed() {
            return tokenMismatches == 0 && logitFailures == 0;
        }
    }

    private CudaCheck() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: CudaCheck MODEL.gguf [PROMPT_TOKENS=32] [GENERATE=16] [ENGINE=cuda]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        int prompt = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int generate = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        String engine = args.length > 3 ? args[3] : "cuda";
        try {
            Result r = run(model, prompt, generate, CudaPlacement.parse(engine));
            System.out.printf(Locale.ROOT, "cuda-vs-java %s: %d steps, max |logit diff| %.4g (tolerance %.4g), logit failures %d,"
                    + " token mismatches %d outside %d near-ties -> %s%n", engine, r.steps(), r.maxAbsDiff(), r.worstTolerance(),
                    r.logitFailures(), r.tokenMismatches(), r.nearTies(), r.passed() ? "PASS" : "FAIL");
            System.exit(r.passed() ? 0 : 1);
        } catch (CudaUnavailableException e) {
            System.err.println("cuda-vs-java: " + e.getMessage());
            System.exit(2);
        }
    }

    public static Result run(Path model, int promptTokens, int generate, CudaPlacement placement) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ContextConfig cfg = ContextConfig.defaults(promptTokens + generate + 1, threads);
        try (LoadedModel cuda = new CudaEngine(placement).load(model);
                LoadedModel java = new JavaEngine().load(model);
                EngineContext c = cuda.newContext(cfg, LayerHook.NONE);
                EngineContext j = java.newContext(cfg, LayerHook.NONE)) {
            int vocab = j.vocabularySize();
            int[] tokens = new int[promptTokens];
            java.util.Random rnd = new java.util.Random(42);
            for (int i = 0; i < promptTokens; i++) {
                tokens[i] = i == 0 && j.bosToken() >= 0 ? j.bosToken() : rnd.nextInt(vocab);
            }
            j.prefill(tokens);
            c.prefill(tokens);
            int steps = 0;
            int nearTies = 0;
            int mismatches = 0;
            int logitFailures = 0;
            double maxDiff = 0;
            double worstTol = 0;
            for (int s = 0; s <= generate; s++) {
                float[] lj = HostWeights.logits(j);
                float[] lc = ((CudaContext) c).logits();
                double maxAbs = 0;
                double diff = 0;
                for (int i = 0; i < vocab; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(lj[i]));
                    diff = Math.max(diff, Math.abs(lj[i] - lc[i]));
                }
                double tol = 0.01 * Math.max(1, maxAbs);
                maxDiff = Math.max(maxDiff, diff);
                worstTol = Math.max(worstTol, tol);
                if (diff > tol) {
                    logitFailures++;
                }
                int tj = j.greedyToken();
                if (margin(lj, tj) > 2 * tol) {
                    if (c.greedyToken() != tj) {
                        mismatches++;
                    }
                } else {
                    nearTies++;
                }
                steps++;
                if (s < generate) {
                    j.decode(tj);
                    c.decode(tj);
                }
            }
            return new Result(steps, nearTies, mismatches, maxDiff, worstTol, logitFailures);
        }
    }

    /** The best logit minus the second best. */
    static double margin(float[] logits, int best) {
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (i != best) {
                second = Math.max(second, logits[i]);
            }
        }
        return logits[best] - second;
    }
}
