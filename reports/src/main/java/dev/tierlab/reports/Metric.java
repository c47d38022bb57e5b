package dev.tierlab.reports;

import java.util.function.ToDoubleFunction;

/**
 * A host figure a point is compared with its baseline on, oriented so that the ratio
 * emulated-vs-baseline is below 1 when the emulated run is slower.
 */
public enum Metric {
    /** Median per-token decode time (decode_ms, or itl_ms.p50): ratio = baseline ms / emulated ms. */
    DECODE("decode", "decode speed (per-token time)", r -> r.host().medianDecodeMs(), true),
    /** Decode throughput: ratio = emulated tg_tps / baseline tg_tps. */
    TG("tg_tps", "decode throughput", r -> r.host().tgTps(), false),
    /** Prompt throughput: ratio = emulated pp_tps / baseline pp_tps. */
    PP("pp_tps", "prompt throughput", r -> r.host().ppTps(), false);

    private final String key;
    private final String description;
    private final ToDoubleFunction<ResultRecord> value;
    private final boolean timeLike;

    Metric(String key, String description, ToDoubleFunction<ResultRecord> value, boolean timeLike) {
        this.key = key;
        this.description = description;
        this.value = value;
        this.timeLike = timeLike;
    }

    public String key() {
        return key;
    }

    public String description() {
        return description;
    }

    /** The line's raw figure (ms for DECODE, tokens/s otherwise); NaN when absent. */
    public double value(ResultRecord r) {
        return value.applyAsDouble(r);
    }

    /** Emulated-vs-baseline ratio of one pair: below 1 when the emulated repeat is slower. */
    public double ratio(ResultRecord baseline, ResultRecord emulated) {
        double b = value(baseline);
        double e = value(emulated);
        return timeLike ? b / e : e / b;
    }

    /** Whether a larger raw value is slower (a time, not a rate). */
    public boolean timeLike() {
        return timeLike;
    }
}
