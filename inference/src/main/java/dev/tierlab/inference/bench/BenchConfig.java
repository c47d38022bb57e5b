package dev.tierlab.inference.bench;

import dev.tierlab.inference.gguf.GgmlType;
import java.util.List;

/** Everything a bench run varies or fixes. Tests run for every thread count and hook mode. */
public record BenchConfig(
        List<BenchTest> tests,
        int repetitions,
        int warmupRuns,
        List<Integer> threads,
        int nBatch,
        int nUbatch,
        GgmlType kvType,
        List<NamedHook> hooks,
        long seed) {

    public BenchConfig {
        tests = List.copyOf(tests);
        threads = List.copyOf(threads);
        hooks = List.copyOf(hooks);
        if (repetitions < 1) {
            throw new IllegalArgumentException("repetitions must be at least 1");
        }
        if (warmupRuns < 0) {
            throw new IllegalArgumentException("warmup runs must not be negative");
        }
    }
}
