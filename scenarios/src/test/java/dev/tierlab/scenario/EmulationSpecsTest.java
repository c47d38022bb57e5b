package dev.tierlab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.placement.TensorRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmulationSpecsTest {

    @TempDir
    Path dir;

    private Emulator.Config parse(String yaml) throws IOException {
        Path f = dir.resolve("e.yaml");
        Files.writeString(f, yaml);
        return EmulationSpecs.config(LocatedYaml.read(f).root(), dir, 10e9);
    }

    @Test
    void readsTiersPlacementPrefetchAndCache() throws IOException {
        Emulator.Config c = parse("""
                seed: 7
                prefetch: 1
                tiers:
                  flash: {preset: hbf, read_bandwidth: 0.25x}
                  ssd: nvme-gen5
                placement:
                  default: hbm
                  weights:
                    - {tier: flash, class: ffn, layers: 2-5, fraction: 50%}
                    - {tier: ssd, match: "output*"}
                  kv:
                    - {tier: hbm, recent: 256}
                    - {tier: flash}
                cache: {tier: hbm, capacity: 1GiB}
                """);
        assertEquals(7, c.seed());
        assertEquals(1, c.prefetchDepth());
        assertEquals(2.5e9, c.tiers().get("flash").readBandwidth().bytesPerSecond(c.baseBytesPerSecond()), 1);
        assertEquals(14e9, c.tiers().get("ssd").readBandwidth().bytesPerSecond(0));
        assertTrue(c.tiers().get("hbm").isNative());
        assertEquals(Map.of("flash", 50L, "hbm", 50L), c.placement().place(new TensorRef("blk.3.ffn_up.weight", 3, "ffn", 100, 0)));
        assertEquals(Map.of("ssd", 100L), c.placement().place(new TensorRef("output.weight", -1, "output", 100, 0)));
        assertEquals(2, c.placement().kv().size());
        assertEquals("hbm", c.cache().tier());
    }

    @Test
    void classShorthandForWeights() throws IOException {
        Emulator.Config c = parse("tiers: {flash: hbf}\nplacement: {weights: {ffn: flash, attn: hbm}}\n");
        assertEquals(Map.of("flash", 10L), c.placement().place(new TensorRef("blk.0.ffn_up.weight", 0, "ffn", 10, 0)));
    }

    @Test
    void everyMistakeNamesItsField() {
        assertEquals("tiers.flash.read_bandwidth", fieldOf("tiers: {flash: {class: flash, read_bandwidth: 0GB/s}}"));
        assertEquals("placement.weights[0].tier", fieldOf("placement: {weights: [{class: ffn}]}"));
        assertEquals("placement.weights[0].class", fieldOf("tiers: {f: hbf}\nplacement: {weights: [{tier: f, class: mlp}]}"));
        assertEquals("placement.weights[0].layers", fieldOf("tiers: {f: hbf}\nplacement: {weights: [{tier: f, layers: 9-2}]}"));
        assertEquals("placement.kv[0].window", fieldOf("placement: {kv: [{tier: hbm, window: 3}]}"));
        assertEquals("placement", fieldOf("placement: {weights: {ffn: flash}}"));
        assertEquals("prefetch", fieldOf("prefetch: two"));
        assertEquals("tiers.flash.latency.dist", fieldOf("tiers: {flash: {preset: hbf, latency: {dist: weibull}}}"));
        assertTrue(fieldOf("tiers: [oops").startsWith(dir.resolve("e.yaml") + ":1:"));
    }

    private String fieldOf(String yaml) {
        return assertThrows(SpecException.class, () -> parse(yaml)).field();
    }

    @Test
    void noTiersMeansEverythingNative() throws IOException {
        Emulator.Config c = parse("seed: 1\n");
        assertEquals(List.of("hbm"), List.copyOf(c.tiers().keySet()));
    }
}
