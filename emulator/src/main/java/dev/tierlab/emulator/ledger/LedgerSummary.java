package dev.tierlab.emulator.ledger;

import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A ledger condensed for a result row: per-tier totals with access-latency percentiles, total stall,
 * and the median measured and modelled duration of the decode steps.
 */
public record LedgerSummary(List<TierSummary> tiers, long stallNanos, int decodeSteps, double decodeMeasuredMedianNanos,
        double decodeModelledMedianNanos) {

    /** {@code readLatency} is a copy of the tier's access-latency histogram (ns) for the period. */
    public record TierSummary(String tier, long bytesRead, long bytesWritten, long requests, long stallNanos,
            long readLatencyP50Nanos, long readLatencyP99Nanos, long readLatencyMaxNanos, Histogram readLatency) {
    }

    public static LedgerSummary of(Ledger ledger) {
        List<TierSummary> tiers = ledger.tiers().stream().map(t -> new TierSummary(t.tier(), t.bytesRead(), t.bytesWritten(),
                t.requests(), t.stallNanos(), t.readLatency().getValueAtPercentile(50), t.readLatency().getValueAtPercentile(99),
                t.readLatency().getMaxValue(), t.readLatency().copy())).toList();
        List<StepRecord> decode = ledger.steps().stream().filter(StepRecord::isDecode).toList();
        return new LedgerSummary(tiers, ledger.steps().stream().mapToLong(StepRecord::stallNanos).sum(), decode.size(),
                median(decode.stream().mapToDouble(StepRecord::durationNanos).toArray()),
                median(decode.stream().mapToDouble(StepRecord::modelledNanos).toArray()));
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

}
