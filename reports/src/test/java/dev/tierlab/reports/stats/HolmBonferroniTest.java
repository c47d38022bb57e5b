package dev.tierlab.reports.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HolmBonferroniTest {

    @Test
    void stepDownAdjustmentByHand() {
        // sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> running max 0.06
        double[] adj = HolmBonferroni.adjust(new double[] {0.01, 0.04, 0.03, 0.005});
        assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02}, adj, 1e-12);
    }

    @Test
    void untestedEntriesStayNaNAndDoNotCount() {
        double[] adj = HolmBonferroni.adjust(new double[] {0.02, Double.NaN, 0.3});
        assertEquals(0.04, adj[0], 1e-12);
        assertTrue(Double.isNaN(adj[1]));
        assertEquals(0.3, adj[2], 1e-12);
        assertEquals(1.0, HolmBonferroni.adjust(new double[] {0.6, 0.7})[0], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> HolmBonferroni.adjust(new double[] {1.2}));
    }
}
