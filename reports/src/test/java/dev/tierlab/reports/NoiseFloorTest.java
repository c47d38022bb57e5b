package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoiseFloorTest {

    @TempDir
    Path dir;

    @Test
    void poolsThePerPairSpreadAndStatesThePower() {
        RunFixture f = new RunFixture(31)
                .pairedPoint("w/a", Map.of("bw", "1x"), 6, 0.9, 0.9, 10, 0.01, 8)
                .pairedPoint("w/b", Map.of("bw", "0.5x"), 10, 0.8, 0.8, 10, 0.03, 8)
                .disturb("w/b", 4);
        RunData d = RunData.read(List.of(f.write(dir)));
        List<PointSummary> points = PointSummary.of(PointData.of(d.records(), false));
        NoiseFloor n = NoiseFloor.of(d, points);
        double sa = points.get(0).decode().sdLog();
        double sb = points.get(1).decode().sdLog();
        // pooled with n - 1 degrees of freedom each: 6 pairs and 9 (one disturbed pair left out)
        assertEquals(Math.sqrt((5 * sa * sa + 8 * sb * sb) / 13), n.pairSdLog(), 1e-12);
        assertTrue(n.paired());
        assertEquals(1, n.disturbed().size());
        assertEquals(8, n.typicalPairs(), "median of 6 and 9 pairs, rounded");
        assertTrue(n.sentinelMedianGbps() > 19 && n.sentinelMedianGbps() < 21);
        assertTrue(n.sentinelP10Gbps() <= n.sentinelMedianGbps() && n.sentinelMedianGbps() <= n.sentinelP90Gbps());
        assertTrue(n.powerSentence().matches("At 8 pairs and the observed per-pair SD of \\d+\\.\\d%, power to detect a 5% effect is \\d+%\\."),
                n.powerSentence());
        assertTrue(n.powerAt5Pct() > 0 && n.powerAt5Pct() <= 1);
    }
}
