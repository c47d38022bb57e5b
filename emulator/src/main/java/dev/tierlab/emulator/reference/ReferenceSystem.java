package dev.tierlab.emulator.reference;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.units.Units;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The accelerator a tierlab answer is about: its top tier (bandwidth, capacity) and its peak
 * arithmetic per dtype, with the mapping from GGUF tensor types to the dtype the reference computes
 * them in. Tier parameters in a scenario are read at this system's scale. {@link #isHost()} marks the
 * host itself ({@code reference: host}): its compute is what the host measures, so dilation is 1.
 *
 * @param topReadBytesPerSecond  top-tier (HBM) read bandwidth, bytes/s; relative tier bandwidths ("0.5x") refer to it
 * @param topWriteBytesPerSecond top-tier write bandwidth, used by staging copies
 * @param topCapacityBytes       top-tier capacity, 0 when it is set aside (say so in the scenario)
 * @param peakFlopsPerSecond     dense peak per dtype (no sparsity)
 * @param dtypeByGgmlType        e.g. q8_0 -> INT8; types not listed compute in {@code defaultDtype}
 * @param source                 where the figures come from
 */
public record ReferenceSystem(
        String name,
        double topReadBytesPerSecond,
        double topWriteBytesPerSecond,
        long topCapacityBytes,
        Map<ComputeDtype, Double> peakFlopsPerSecond,
        Map<String, ComputeDtype> dtypeByGgmlType,
        ComputeDtype defaultDtype,
        boolean isHost,
        String source) {

    public ReferenceSystem {
        String f = "reference";
        if (!(topReadBytesPerSecond > 0) || Double.isInfinite(topReadBytesPerSecond)) {
            throw new SpecException(f + ".bandwidth", "must be a positive bandwidth, got %s; write e.g. 4.8TB/s".formatted(topReadBytesPerSecond));
        }
        if (!(topWriteBytesPerSecond > 0) || Double.isInfinite(topWriteBytesPerSecond)) {
            throw new SpecException(f + ".write_bandwidth", "must be a positive bandwidth, got %s; write e.g. 4.8TB/s".formatted(topWriteBytesPerSecond));
        }
        if (topCapacityBytes < 0) {
            throw new SpecException(f + ".capacity", "must not be negative");
        }
        peakFlopsPerSecond = Map.copyOf(peakFlopsPerSecond);
        dtypeByGgmlType = Map.copyOf(dtypeByGgmlType);
        if (!isHost) {
            for (var e : peakFlopsPerSecond.entrySet()) {
                if (!(e.getValue() > 0) || e.getValue().isInfinite()) {
                    throw new SpecException(f + ".flops." + e.getKey().label(),
                            "must be a positive rate, got %s; write e.g. 989TFLOP/s".formatted(e.getValue()));
                }
            }
            if (!peakFlopsPerSecond.containsKey(defaultDtype)) {
                throw new SpecException(f + ".flops", "needs a peak for %s, the dtype of unmapped tensor types".formatted(defaultDtype.label()));
            }
            for (var e : dtypeByGgmlType.entrySet()) {
                if (!peakFlopsPerSecond.containsKey(e.getValue())) {
                    throw new SpecException(f + ".dtypes." + e.getKey(), "maps to %s, which has no peak in reference.flops".formatted(e.getValue().label()));
                }
            }
        }
    }

    /** The dtype a tensor of GGUF type {@code ggmlType} ("q8_0", "f16", ...) is multiplied in. */
    public ComputeDtype dtypeOf(String ggmlType) {
        ComputeDtype d = dtypeByGgmlType.get(ggmlType.toLowerCase(Locale.ROOT));
        return d != null ? d : defaultDtype;
    }

    /** Nanoseconds for {@code flops} operations in {@code dtype} at this system's dense peak. */
    public double computeNanos(ComputeDtype dtype, double flops) {
        Double peak = peakFlopsPerSecond.get(dtype);
        if (peak == null) {
            peak = peakFlopsPerSecond.get(defaultDtype);
        }
        return flops / peak * 1e9;
    }

    public ReferenceSystem withTop(double readBytesPerSecond, double writeBytesPerSecond, long capacityBytes) {
        return new ReferenceSystem(name, readBytesPerSecond, writeBytesPerSecond, capacityBytes, peakFlopsPerSecond,
                dtypeByGgmlType, defaultDtype, isHost, source);
    }

    /** For env.json and reports. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("top_read_bandwidth", Units.formatBandwidth(topReadBytesPerSecond));
        m.put("top_write_bandwidth", Units.formatBandwidth(topWriteBytesPerSecond));
        m.put("top_capacity_bytes", topCapacityBytes);
        Map<String, Object> peaks = new LinkedHashMap<>();
        // In dtype order; the host reference has none (new EnumMap<>(map) refuses an empty plain map).
        for (ComputeDtype d : ComputeDtype.values()) {
            Double v = peakFlopsPerSecond.get(d);
            if (v != null) {
                peaks.put(d.label(), "%.1f TFLOP/s".formatted(v / 1e12));
            }
        }
        m.put("peak_flops", peaks);
        Map<String, Object> dtypes = new LinkedHashMap<>();
        dtypeByGgmlType.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> dtypes.put(e.getKey(), e.getValue().label()));
        m.put("dtypes", dtypes);
        m.put("default_dtype", defaultDtype.label());
        m.put("host", isHost);
        m.put("source", source);
        return m;
    }
}
