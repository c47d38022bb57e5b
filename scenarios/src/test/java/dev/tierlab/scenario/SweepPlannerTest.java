package dev.tierlab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepPlannerTest {

    @TempDir
    Path dir;

    @Test
    void expandsWorkloadGridThenBaselineThenAxisProductInAStableOrder() throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, """
                name: s
                workload: {prompt: [16, 32], generate: [8]}
                tiers: {flash: {preset: hbf}}
                placement:
                  weights:
                    - {tier: flash, class: ffn, fraction: 0.5}
                sweep:
                  tiers.flash.read_bandwidth: [1x, 0.5x]
                  placement.weights[0].fraction: [0.25, 1]
                """);
        List<SweepPlanner.Point> points = SweepPlanner.plan(ScenarioLoader.load(f));
        assertEquals(2 * (1 + 4), points.size());
        assertEquals("p16-n8-d0/baseline", points.get(0).id());
        assertEquals("p16-n8-d0/tiers.flash.read_bandwidth=1x,placement.weights[0].fraction=0.25", points.get(1).id());
        assertEquals("p16-n8-d0/tiers.flash.read_bandwidth=0.5x,placement.weights[0].fraction=1", points.get(4).id());
        assertEquals("p32-n8-d0/baseline", points.get(5).id());
        for (int i = 0; i < points.size(); i++) {
            assertEquals(i, points.get(i).index());
        }
        // each point's own scenario carries its axis values
        Map<String, Object> tiers = EmulationSpecs.map("tiers", points.get(4).scenario().emulation().get("tiers"));
        assertEquals("0.5x", EmulationSpecs.map("flash", tiers.get("flash")).get("read_bandwidth"));
        var weights = (List<?>) EmulationSpecs.map("p", points.get(4).scenario().emulation().get("placement")).get("weights");
        assertEquals(1, ((Map<?, ?>) weights.getFirst()).get("fraction"));
        assertTrue(points.get(0).baseline());
        assertEquals(List.of(), List.copyOf(points.get(0).axes().keySet()));
    }
}
