package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AxisTest {

    @Test
    void quantitiesAreContinuous() {
        Axis ratio = Axis.classify("tiers.hbf.read_bandwidth", List.of("2x", "1x", "0.5x", "0.25x"));
        assertTrue(ratio.continuous());
        assertTrue(ratio.logScale(), "ratio axes are drawn on a log scale");
        assertEquals(1, ratio.higherIsBetter());
        assertEquals(0.25, ratio.value("0.25x"));
        assertEquals("0.620x", ratio.format(0.62));

        Axis bw = Axis.classify("tiers.flash.read_bandwidth", List.of("1.2TB/s", "600GB/s"));
        assertTrue(bw.continuous());
        assertEquals(1200, bw.value("1.2TB/s"));
        assertFalse(bw.logScale(), "a 2x span stays linear");

        Axis lat = Axis.classify("tiers.hbf.latency.p50", List.of("3us", "10us", "50us"));
        assertTrue(lat.continuous());
        assertEquals(-1, lat.higherIsBetter());
        assertTrue(lat.logScale());

        Axis frac = Axis.classify("placement.weights[0].fraction", List.of("0.05", "0.1", "0.25", "0.5"));
        assertTrue(frac.continuous());
        assertEquals(0, frac.higherIsBetter(), "direction from the data");

        assertTrue(Axis.classify("tiers.spill.capacity", List.of("8GiB", "16GiB")).continuous());
    }

    @Test
    void namesModesCountsAndBooleansAreDiscrete() {
        assertFalse(Axis.classify("prefetch", List.of("0", "1")).continuous(), "prefetch depth is a setting, not a quantity");
        assertFalse(Axis.classify("mode", List.of("inject", "copy")).continuous());
        assertFalse(Axis.classify("tiers.spill.preset", List.of("cxl", "nvme-gen5")).continuous());
        assertFalse(Axis.classify("tiers.hbf.compressed", List.of("true", "false")).continuous());
        assertFalse(Axis.classify("bw", List.of("1x", "2GB/s")).continuous(), "mixed units");
    }
}
