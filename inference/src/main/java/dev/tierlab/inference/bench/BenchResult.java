package dev.tierlab.inference.bench;

import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;

/** All repetitions of one test at one thread count, engine and hook mode, plus the inter-token latencies. */
public record BenchResult(
        BenchTest test,
        int threads,
        String engine,
        String hook,
        int warmupRuns,
        Instant testTime,
        List<BenchSample> samples,
        Histogram interTokenNanos) {

    public double[] samplesTokensPerSecond() {
        return samples.stream().mapToDouble(s -> s.tokensPerSecond(test)).toArray();
    }

    public long[] samplesNanos() {
        return samples.stream().mapToLong(BenchSample::totalNanos).toArray();
    }
}
