package dev.tierlab.emulator.tier;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.latency.LatencyDistribution;

/**
 * One emulated tier: how fast it moves bytes (read and write bandwidth, a shared pipe with no burst
 * credit), in what units (access granularity), how many requests it serves at once (channels), and
 * how long each request waits before its data flows (latency distributions).
 *
 * @param capacityBytes 0 for unlimited
 */
public record TierSpec(
        String name,
        TierClass tierClass,
        long capacityBytes,
        Bandwidth readBandwidth,
        Bandwidth writeBandwidth,
        long granularityBytes,
        int channels,
        LatencyDistribution readLatency,
        LatencyDistribution writeLatency) {

    /** Channels beyond this are a typo: every channel is simulated. */
    public static final int MAX_CHANNELS = 65_536;
    /** The smallest request a tier serves: one cache line. */
    public static final long MIN_GRANULARITY_BYTES = 64;

    public TierSpec {
        String f = "tiers." + name;
        if (granularityBytes <= 0) {
            throw new SpecException(f + ".granularity", "must be positive, got " + granularityBytes);
        }
        if (channels <= 0) {
            throw new SpecException(f + ".channels", "must be at least 1, got " + channels);
        }
        if (channels > MAX_CHANNELS) {
            throw new SpecException(f + ".channels", "%d is more than %d; a tier's parallelism (dies x planes, queue depth) is at most thousands".formatted(channels, MAX_CHANNELS));
        }
        if (granularityBytes < MIN_GRANULARITY_BYTES && !(readBandwidth instanceof Bandwidth.Native && writeBandwidth instanceof Bandwidth.Native)) {
            throw new SpecException(f + ".granularity", "%d B is below %d B; requests are cache lines (64B) or larger, e.g. 4KiB or 16KiB".formatted(granularityBytes, MIN_GRANULARITY_BYTES));
        }
        if (capacityBytes < 0) {
            throw new SpecException(f + ".capacity", "must not be negative");
        }
    }

    /** The engine's own memory: accesses to it are not emulated at all. */
    public static TierSpec nativeTier(String name, TierClass c) {
        return new TierSpec(name, c, 0, Bandwidth.NATIVE, Bandwidth.NATIVE, 1 << 20, 1, LatencyDistribution.ZERO,
                LatencyDistribution.ZERO);
    }

    public boolean isNative() {
        return readBandwidth instanceof Bandwidth.Native && writeBandwidth instanceof Bandwidth.Native
                && readLatency.meanNanos() == 0 && writeLatency.meanNanos() == 0;
    }

    public TierSpec withName(String newName) {
        return new TierSpec(newName, tierClass, capacityBytes, readBandwidth, writeBandwidth, granularityBytes, channels,
                readLatency, writeLatency);
    }

    public String describe() {
        return "%s (%s): read %s, write %s, %s requests x %d channels, read latency %s".formatted(name, tierClass.label(),
                readBandwidth.describe(), writeBandwidth.describe(), granularityBytes >= 1024 ? granularityBytes / 1024 + " KiB"
                        : granularityBytes + " B", channels, readLatency.describe());
    }
}
