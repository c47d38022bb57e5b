package dev.tierlab.emulator.tier;

import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.latency.LatencyDistribution.Fixed;
import dev.tierlab.emulator.latency.LatencyDistribution.LogNormal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Named starting points for tiers; a scenario overrides any field. Figures are public datasheet or
 * announcement numbers, cited beside each; latencies are per request, on top of what the engine's
 * own DRAM access already costs.
 */
public final class TierPresets {

    private static final long KIB = 1024;
    private static final Map<String, TierSpec> PRESETS = new LinkedHashMap<>();

    static {
        // The machine's memory, standing for the top tier: not throttled, no latency added.
        put(TierSpec.nativeTier("hbm", TierClass.HBM));
        put(TierSpec.nativeTier("dram", TierClass.DRAM));

        // HBM3E: 9.6 Gb/s per pin x 1024 pins = ~1.2 TB/s per stack (Micron/SK hynix HBM3E datasheets,
        // 2024). DRAM-class access latency (~120 ns); transfers coalesced into 64 KiB bursts.
        put(new TierSpec("hbm3e", TierClass.HBM, 0, abs(1.2e12), abs(1.2e12), 64 * KIB, 32,
                new Fixed(120), new Fixed(120)));

        // High Bandwidth Flash (SanDisk HBF, announced Feb 2025): HBM-class bandwidth from stacked NAND.
        // NAND page read latency is the open question: ~3 us (Z-NAND / XL-Flash class) to ~50 us (TLC);
        // the preset takes 10 us median with a tail, and scenarios sweep it. 16 KiB NAND pages; enough
        // planes in flight (1024) that bandwidth, not latency, bounds streaming reads.
        put(new TierSpec("hbf", TierClass.FLASH, 0, abs(1.2e12), abs(0.3e12), 16 * KIB, 1024,
                LogNormal.fromPercentiles(10_000, 30_000), LogNormal.fromPercentiles(200_000, 600_000)));

        // CXL 2.0/3.0 memory expander on PCIe 5.0 x16: 64 GB/s per direction; measured load-to-use
        // adds ~70-300 ns over local DRAM (e.g. Sun et al., "Demystifying CXL Memory", MICRO 2023).
        put(new TierSpec("cxl", TierClass.CXL, 0, abs(64e9), abs(64e9), 4 * KIB, 64,
                LogNormal.fromPercentiles(170, 300), LogNormal.fromPercentiles(170, 300)));

        // PCIe 5.0 NVMe SSD: ~14 GB/s sequential read, ~13 GB/s write (e.g. Samsung 9100 PRO datasheet,
        // 14.7 / 13.4 GB/s); ~60 us typical read latency with a tail; 128 KiB reads at queue depth 64.
        put(new TierSpec("nvme-gen5", TierClass.SSD, 0, abs(14e9), abs(13e9), 128 * KIB, 64,
                LogNormal.fromPercentiles(60_000, 180_000), LogNormal.fromPercentiles(20_000, 100_000)));

        // PCIe 4.0 NVMe SSD: ~7 GB/s read, ~6.9 GB/s write (e.g. Samsung 990 PRO datasheet, 7.45 / 6.9).
        put(new TierSpec("nvme-gen4", TierClass.SSD, 0, abs(7e9), abs(6.9e9), 128 * KIB, 64,
                LogNormal.fromPercentiles(70_000, 220_000), LogNormal.fromPercentiles(25_000, 120_000)));

        // SATA III SSD: the 6 Gb/s link caps reads near 550 MB/s, writes near 520 MB/s; NCQ depth 32.
        put(new TierSpec("sata-ssd", TierClass.SSD, 0, abs(550e6), abs(520e6), 128 * KIB, 32,
                LogNormal.fromPercentiles(90_000, 400_000), LogNormal.fromPercentiles(40_000, 300_000)));
    }

    private TierPresets() {
    }

    private static Bandwidth abs(double bytesPerSecond) {
        return new Bandwidth.Absolute(bytesPerSecond);
    }

    private static void put(TierSpec t) {
        PRESETS.put(t.name(), t);
    }

    public static Optional<TierSpec> byName(String name) {
        return Optional.ofNullable(PRESETS.get(name));
    }

    public static Iterable<String> names() {
        return PRESETS.keySet();
    }

}
