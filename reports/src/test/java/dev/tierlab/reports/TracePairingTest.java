package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trace-mode runs: each point's lines pair with the traced baseline repeats of their workload. */
class TracePairingTest {

    @TempDir
    Path dir;

    @Test
    void tracePointsPairWithTheWorkloadsTracedBaselineAndGetReferenceRatios() {
        RunFixture f = new RunFixture(5);
        for (int p = 0; p < 3; p++) {
            f.lines().add(f.v2Line("p16-n4-d0/baseline", 0, Map.of(), "baseline", p, 10, 32, 100.0, 0));
        }
        double[] bw = {1, 0.5};
        for (int i = 0; i < bw.length; i++) {
            for (int p = 0; p < 3; p++) {
                Map<String, Object> m = f.v2Line("p16-n4-d0/bw=" + bw[i] + "x", 1 + i, Map.of("tiers.hbf.read_bandwidth", bw[i] + "x"),
                        "emulated", p, 10, 32, 100.0 * (0.9 - 0.4 * i), 0);
                m.put("mode", "trace");
                m.put("order", "trace");
                m.put("baseline_id", "p16-n4-d0/baseline");
                f.lines().add(m);
            }
        }
        List<PointData> pts = PointData.of(RunData.read(List.of(f.write(dir))).records(), false);
        assertEquals(3, pts.size());
        for (PointData p : pts.subList(1, 3)) {
            assertEquals(3, p.pairs().size(), p.pointId() + " pairs with the traced baseline repeats");
        }
        List<PointSummary> s = PointSummary.of(pts);
        assertEquals(0.9, s.get(1).reference().median(), 1e-9);
        assertEquals(0.5, s.get(2).reference().median(), 1e-9);
        assertTrue(s.get(2).reference().source().contains("h200"), s.get(2).reference().source());
    }

    @Test
    void aMixtureOfExpertsRunStatesItsActiveParametersAndRoutingAssumption() {
        RunFixture f = new RunFixture(6);
        f.pairedPoint("p16-n4-d0/emulated", Map.of(), 3, 0.9, 0.9, 10, 0.01, 32);
        f.lines().forEach(m -> m.put("model", Map.of("name", "olmoe-1b-7b-q4_k_m-z1.00", "params", 6_919_161_856L,
                "active_params", 1_282_017_280L, "experts", 64, "experts_used", 8, "routing", "synthesized: zipf s=1.00")));
        RunData d = RunData.read(List.of(f.write(dir)));
        assertEquals("olmoe-1b-7b-q4_k_m-z1.00: 6.92B parameters, 1.28B active per token (64 experts per block, 8 per token); "
                + "routing: synthesized: zipf s=1.00", ModelLine.of(d).orElseThrow());
        RunFixture dense = new RunFixture(7);
        dense.pairedPoint("p16-n4-d0/emulated", Map.of(), 3, 0.9, 0.9, 10, 0.01, 32);
        assertTrue(ModelLine.of(RunData.read(List.of(dense.write(dir.resolve("dense"))))).isEmpty());
    }
}
