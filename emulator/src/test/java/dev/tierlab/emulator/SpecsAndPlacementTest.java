package dev.tierlab.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.TensorRef;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.emulator.tier.Bandwidth;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierPresets;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.emulator.tier.TierSpecs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecsAndPlacementTest {

    private static final Path HERE = Path.of(".");

    @Test
    void presetsWithOverrides() {
        TierSpec flash = TierSpecs.fromMap("flash", Map.of("preset", "hbf", "read_bandwidth", "0.25x",
                "latency", Map.of("dist", "lognormal", "p50", "3us", "p99", "9us")), HERE);
        assertEquals("flash", flash.name());
        assertEquals(TierClass.FLASH, flash.tierClass());
        assertEquals(25e9, flash.readBandwidth().bytesPerSecond(100e9), 1);
        assertEquals(16 * 1024, flash.granularityBytes());
        assertEquals(3000, Math.exp(((dev.tierlab.emulator.latency.LatencyDistribution.LogNormal) flash.readLatency()).mu()), 1e-6);
        TierSpec ssd = TierSpecs.fromMap("ssd", Map.of("class", "ssd", "read_bandwidth", "2GB/s", "channels", 8,
                "granularity", "64KiB"), HERE);
        assertEquals(2e9, ssd.writeBandwidth().bytesPerSecond(0), "write defaults to read");
        assertEquals(65536, ssd.granularityBytes());
        assertTrue(TierPresets.byName("hbm").orElseThrow().isNative());
        assertFalse(TierPresets.byName("nvme-gen5").orElseThrow().isNative());
    }

    @Test
    void badTiersAreRejectedNamingTheField() {
        assertEquals("tiers.flash.read_bandwidth", assertThrows(SpecException.class,
                () -> TierSpecs.fromMap("flash", Map.of("class", "flash", "read_bandwidth", "0GB/s"), HERE)).field());
        assertEquals("tiers.flash.read_bandwidth", assertThrows(SpecException.class,
                () -> TierSpecs.fromMap("flash", Map.of("class", "flash", "read_bandwidth", "-2x"), HERE)).field());
        assertEquals("tiers.flash.bandwidth", assertThrows(SpecException.class,
                () -> TierSpecs.fromMap("flash", Map.of("class", "flash", "bandwidth", "fast"), HERE)).field());
        assertEquals("tiers.flash.preset", assertThrows(SpecException.class,
                () -> TierSpecs.fromMap("flash", Map.of("preset", "optane"), HERE)).field());
        assertEquals("tiers.flash.channels", assertThrows(SpecException.class,
                () -> TierSpecs.fromMap("flash", Map.of("preset", "hbf", "channels", 0), HERE)).field());
        assertEquals("tiers.flash.speed", assertThrows(SpecException.class,
                () -> TierSpecs.fromMap("flash", Map.of("preset", "hbf", "speed", 1), HERE)).field());
        assertEquals("tiers.flash.read_bandwidth", assertThrows(SpecException.class,
                () -> TierSpecs.fromMap("flash", Map.of("class", "flash"), HERE)).field());
        SpecException unknownTier = assertThrows(SpecException.class, () -> new Emulator.Config(
                Map.of("hbm", TierSpec.nativeTier("hbm", TierClass.HBM)), Placement.allOn("flash"), null, 0, 1, 1e9));
        assertTrue(unknownTier.getMessage().contains("unknown tier 'flash'"), unknownTier.getMessage());
    }

    @Test
    void weightRulesMatchByGlobLayerRangeClassAndFraction() {
        Placement p = new Placement(List.of(
                new WeightRule("flash", "blk.*.ffn_*", 2, 5, null, 1),
                new WeightRule("cxl", null, null, null, "attn", 0.25)), List.of(), "hbm");
        assertEquals(Map.of("flash", 100L), p.place(new TensorRef("blk.3.ffn_up.weight", 3, "ffn", 100, 0)));
        assertEquals(Map.of("hbm", 100L), p.place(new TensorRef("blk.7.ffn_up.weight", 7, "ffn", 100, 0)));
        assertEquals(Map.of("cxl", 25L, "hbm", 75L), p.place(new TensorRef("blk.7.attn_q.weight", 7, "attn", 100, 0)));
        assertEquals(Map.of("hbm", 100L), p.place(new TensorRef("output.weight", -1, "output", 100, 0)));
    }

    @Test
    void kvRulesPutTheMostRecentTokensFirst() {
        Placement p = new Placement(List.of(), List.of(new KvRule("hbm", null, null, 512), new KvRule("flash", 0, 3, null)), "dram");
        assertEquals(List.of(new Placement.KvSpan("hbm", 488, 1000), new Placement.KvSpan("flash", 0, 488)), p.kvSpans(2, 1000));
        assertEquals(List.of(new Placement.KvSpan("hbm", 488, 1000), new Placement.KvSpan("dram", 0, 488)), p.kvSpans(9, 1000));
        assertEquals(List.of(new Placement.KvSpan("hbm", 0, 100)), p.kvSpans(2, 100));
    }

    @Test
    void bandwidthParsing() {
        assertEquals(14e9, Bandwidth.parse("f", "14GB/s").bytesPerSecond(0));
        assertEquals(2 * 1024.0 * 1024 * 1024, Bandwidth.parse("f", "2GiB/s").bytesPerSecond(0));
        assertTrue(Bandwidth.parse("f", "native") instanceof Bandwidth.Native);
    }
}
