package dev.tierlab.inference.bench;

import dev.tierlab.inference.emulation.EmulationHook;
import dev.tierlab.inference.engine.EngineContext;
import dev.tierlab.inference.engine.LayerHook;
import java.util.SplittableRandom;

/**
 * One measured repetition of a test, as llama-bench runs it: KV cache cleared, an untimed depth
 * prefill, then the timed prompt (random ids, BOS first) and generation (one random id per decode,
 * no sampling). An emulated hook's ledger covers exactly the timed part.
 */
public final class Repetition {

    private Repetition() {
    }

    public static BenchSample run(EngineContext ctx, BenchTest test, SplittableRandom random, LayerHook hook) {
        ctx.clearKvCache();
        int nVocab = ctx.vocabularySize();
        int bos = ctx.bosToken();
        if (test.nDepth() > 0) {
            ctx.prefill(randomTokens(test.nDepth(), nVocab, bos, random));
        }
        if (hook instanceof EmulationHook e) {
            e.takeSummary();
        }
        ctx.resetCounters();
        if (hook != null) {
            hook.beginMeasurement();
        }
        long[] decode = new long[test.nGen()];
        long t0 = System.nanoTime();
        long prefill = 0;
        if (test.nPrompt() > 0) {
            int[] prompt = randomTokens(test.nPrompt(), nVocab, test.nDepth() == 0 ? bos : -1, random);
            ctx.prefill(prompt);
            prefill = System.nanoTime() - t0;
        }
        int token = bos >= 0 && test.nPrompt() == 0 && test.nDepth() == 0 ? bos : random.nextInt(nVocab);
        for (int i = 0; i < test.nGen(); i++) {
            long s = System.nanoTime();
            ctx.decode(token);
            decode[i] = System.nanoTime() - s;
            token = random.nextInt(nVocab);
        }
        long total = System.nanoTime() - t0;
        if (hook != null) {
            hook.endMeasurement();
        }
        long ttft = test.nPrompt() > 0 ? prefill : decode.length > 0 ? decode[0] : 0;
        return new BenchSample(total, prefill, decode, ttft, ctx.counters(),
                hook instanceof EmulationHook e ? e.takeSummary() : null);
    }

    static int[] randomTokens(int n, int nVocab, int first, SplittableRandom random) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(nVocab);
        }
        if (first >= 0 && n > 0) {
            t[0] = first;
        }
        return t;
    }
}
