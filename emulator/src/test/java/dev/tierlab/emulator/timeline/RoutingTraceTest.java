package dev.tierlab.emulator.timeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoutingTraceTest {

    private static int[][][] routing(int positions, int layers) {
        int[][][] e = new int[positions][layers][];
        for (int p = 0; p < positions; p++) {
            for (int l = 0; l < layers; l++) {
                e[p][l] = new int[] {(p + l) % 8, (p + l + 1) % 8};
            }
        }
        return e;
    }

    @Test
    void masksAndHistogramCountEachChoice() {
        RoutingTrace t = new RoutingTrace("test", 8, 2, routing(4, 2));
        assertEquals(1L << 1 | 1L << 2, t.mask(1, 0));
        assertEquals(1L << 4 | 1L << 5, t.mask(3, 1));
        long[][] h = t.histogram();
        // block 0: positions 0..3 choose {0,1},{1,2},{2,3},{3,4}
        assertArrayEquals(new long[] {1, 2, 2, 2, 1, 0, 0, 0}, h[0]);
        assertThrows(IllegalArgumentException.class, () -> t.mask(4, 0));
    }

    @Test
    void refusesMalformedRouting() {
        int[][][] dup = routing(2, 1);
        dup[1][0] = new int[] {3, 3};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RoutingTrace("t", 8, 2, dup)).getMessage().contains("twice"));
        int[][][] out = routing(2, 1);
        out[0][0] = new int[] {8, 1};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RoutingTrace("t", 8, 2, out)).getMessage().contains("outside"));
        int[][][] ragged = routing(2, 2);
        ragged[1] = new int[][] {{1, 2}};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RoutingTrace("t", 8, 2, ragged)).getMessage().contains("blocks"));
        int[][][] shortK = routing(2, 1);
        shortK[0][0] = new int[] {1};
        assertThrows(IllegalArgumentException.class, () -> new RoutingTrace("t", 8, 2, shortK));
    }

    private static boolean[] routed(int n) {
        boolean[] r = new boolean[n];
        java.util.Arrays.fill(r, true);
        return r;
    }

    @Test
    void mismatchNamesWhatDiffers() {
        RoutingTrace t = new RoutingTrace("test", 8, 2, routing(10, 4));
        assertNull(t.mismatch(8, 2, routed(4), 10));
        assertNull(t.mismatch(8, 2, routed(2), 5), "a model cut to fewer blocks replays the first ones");
        assertTrue(t.mismatch(16, 2, routed(4), 10).contains("2 of 8 experts"));
        assertTrue(t.mismatch(8, 2, routed(5), 10).contains("4 blocks"));
        assertTrue(t.mismatch(8, 2, routed(4), 11).contains("10 token positions"));
        assertTrue(t.mismatch(8, 2, new boolean[] {false, true, true, true}, 10).contains("block 0 has experts in the trace"));
    }

    /** A dense block (DeepSeek's first) routes none at every position; its mask is empty. */
    @Test
    void aDenseBlockRoutesNoneAnywhere() {
        int[][][] e = routing(3, 2);
        for (int[][] pos : e) {
            pos[0] = new int[0];
        }
        RoutingTrace t = new RoutingTrace("test", 8, 2, e);
        assertEquals(0, t.mask(1, 0));
        assertNull(t.mismatch(8, 2, new boolean[] {false, true}, 3));
        assertTrue(t.mismatch(8, 2, new boolean[] {true, true}, 3).contains("block 0 has no experts"));
        int[][][] mixed = routing(3, 2);
        mixed[2][0] = new int[0];
        assertThrows(IllegalArgumentException.class, () -> new RoutingTrace("t", 8, 2, mixed), "routed at one position, none at another");
    }
}
