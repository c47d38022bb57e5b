package dev.tierlab.inference.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/**
 * The latency distributions of a serving run, one HdrHistogram (nanoseconds, 3 significant digits)
 * per quantity, and goodput against an SLO.
 *
 * <p>Corrected figures ({@code ttft}, {@code e2e}) are measured from each request's scheduled arrival,
 * so they already count the time a request queued behind a stall; they are recorded with
 * {@code recordValue}, never {@code recordValueWithExpectedInterval}, which would add synthetic
 * samples for the same omission a second time. Uncorrected figures are measured from admission.
 */
public final class ServingMetrics {

    /** p99 targets in nanoseconds of the run's clock; 0 means no target on that quantity. */
    public record Slo(long ttftP99Nanos, long tpotP99Nanos) {
        public static final Slo NONE = new Slo(0, 0);

        /** Whether one request meets the targets (TTFT from its scheduled arrival; TPOT where it has one). */
        public boolean metBy(RequestRecord r) {
            return (ttftP99Nanos == 0 || r.ttftNanos() <= ttftP99Nanos) && (tpotP99Nanos == 0 || r.tpotNanos() <= tpotP99Nanos);
        }
    }

    /** Quantities in the order results list them. */
    public static final List<String> QUANTITIES = List.of("ttft", "ttft_uncorrected", "tpot", "e2e", "e2e_uncorrected", "queue");

    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private final int requests;
    private final int good;
    private final double spanNanos;

    private ServingMetrics(List<RequestRecord> records, Slo slo) {
        add("ttft", records, RequestRecord::ttftNanos);
        add("ttft_uncorrected", records, RequestRecord::ttftUncorrectedNanos);
        add("tpot", records, RequestRecord::tpotNanos);
        add("e2e", records, RequestRecord::e2eNanos);
        add("e2e_uncorrected", records, RequestRecord::e2eUncorrectedNanos);
        add("queue", records, RequestRecord::queueNanos);
        requests = records.size();
        good = (int) records.stream().filter(slo::metBy).count();
        long first = records.stream().mapToLong(r -> r.request().arrivalNanos()).min().orElse(0);
        long last = records.stream().mapToLong(RequestRecord::finishedNanos).max().orElse(0);
        spanNanos = Math.max(1, last - first);
    }

    public static ServingMetrics of(List<RequestRecord> records, Slo slo) {
        return new ServingMetrics(records, slo);
    }

    private void add(String name, List<RequestRecord> records, ToLongFunction<RequestRecord> f) {
        Histogram h = new Histogram(3);
        for (RequestRecord r : records) {
            long v = f.applyAsLong(r);
            if (v >= 0) { // TPOT of a one-token request does not exist
                h.recordValue(v);
            }
        }
        histograms.put(name, h);
    }

    public Histogram histogram(String quantity) {
        Histogram h = histograms.get(quantity);
        if (h == null) {
            throw new IllegalArgumentException("no quantity '" + quantity + "'; quantities are " + QUANTITIES);
        }
        return h;
    }

    /** A percentile (0-100) of a quantity, in milliseconds; NaN when it has no samples. */
    public double percentileMillis(String quantity, double percentile) {
        Histogram h = histogram(quantity);
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
    }

    /** Requests per second (of the run's clock) that met the SLO, from the first arrival to the last finish. */
    public double goodput() {
        return good * 1e9 / spanNanos;
    }

    /** Requests per second completed over the same span. */
    public double throughput() {
        return requests * 1e9 / spanNanos;
    }

    public int goodRequests() {
        return good;
    }

    /** Whether the run's p99 TTFT and p99 TPOT are within the SLO's targets. */
    public boolean meets(Slo slo) {
        return (slo.ttftP99Nanos() == 0 || percentileMillis("ttft", 99) * 1e6 <= slo.ttftP99Nanos())
                && (slo.tpotP99Nanos() == 0 || !(percentileMillis("tpot", 99) * 1e6 > slo.tpotP99Nanos()));
    }

    /** Per quantity: n, mean, p50, p90, p99, p999 and max in milliseconds (results.jsonl's form). */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : histograms.entrySet()) {
            Histogram h = e.getValue();
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("n", h.getTotalCount());
            if (h.getTotalCount() > 0) {
                q.put("mean", round(h.getMean() / 1e6));
                q.put("p50", round(h.getValueAtPercentile(50) / 1e6));
                q.put("p90", round(h.getValueAtPercentile(90) / 1e6));
                q.put("p99", round(h.getValueAtPercentile(99) / 1e6));
                q.put("p999", round(h.getValueAtPercentile(99.9) / 1e6));
                q.put("max", round(h.getMaxValue() / 1e6));
            }
            out.put(e.getKey() + "_ms", q);
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
