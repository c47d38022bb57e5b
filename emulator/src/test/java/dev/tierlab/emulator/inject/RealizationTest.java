package dev.tierlab.emulator.inject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.emulator.timeline.Trace;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dilation from baselines and the holds that realise a reference timeline on the host. */
class RealizationTest {

    /** Two layer indices, a prefill step of 4 tokens then two decode steps. */
    static final Trace TRACE = Trace.of(0, 4, 2, 512);

    static ReferenceTimeline.Result result(double[][] layer, double[][] base) {
        double[] steps = new double[layer.length];
        for (int k = 0; k < layer.length; k++) {
            for (double v : layer[k]) {
                steps[k] += v;
            }
        }
        return new ReferenceTimeline.Result(TRACE, steps, layer, base, Map.of());
    }

    @Test
    void dilationIsTheMedianHostOverReferenceComputePerLayerAndPhase() {
        double[][] base = {{10, 20}, {1, 2}, {1, 2}};
        ReferenceTimeline.Result ref = result(base, base);
        DilationWindow w = new DilationWindow(3);
        w.add(new long[][] {{1000, 4000}, {100, 400}, {300, 400}}, TRACE, ref);
        double[][] d = w.current();
        assertEquals(100, d[DilationWindow.PREFILL][0], 1e-9);
        assertEquals(200, d[DilationWindow.PREFILL][1], 1e-9);
        assertEquals(200, d[DilationWindow.DECODE][0], 1e-9, "median of 100 and 300");
        assertEquals(200, d[DilationWindow.DECODE][1], 1e-9);
        // A window of three follows drift: the oldest baseline leaves once a fourth arrives.
        w.add(new long[][] {{1000, 4000}, {1000, 2000}, {1000, 2000}}, TRACE, ref);
        w.add(new long[][] {{1000, 4000}, {1000, 2000}, {1000, 2000}}, TRACE, ref);
        assertEquals(1000, w.current()[DilationWindow.DECODE][0], 1e-9);
        w.add(new long[][] {{1000, 4000}, {1000, 2000}, {1000, 2000}}, TRACE, ref);
        assertEquals(1000, w.current()[DilationWindow.DECODE][0], 1e-9);
        assertThrows(IllegalStateException.class, () -> new DilationWindow(2).current());
    }

    /**
     * A layer's own compute is dilated by its own D; the excess a tier adds, by the step's D (the
     * layers' D weighted by their compute), so the host step is the step's D x the reference step
     * and the measured degradation is the reference's.
     */
    @Test
    void holdsAreTheStepsDilationTimesTheExcessOverBaselineCompute() {
        double[][] base = {{10, 20}, {1, 2}, {1, 2}};
        double[][] emulated = {{10, 50}, {5, 2}, {0.5, 2}};
        double[][] d = {{100, 100}, {200, 300}};
        Realization r = Realization.of(result(emulated, base), d);
        double dDecode = (200 * 1 + 300 * 2) / 3.0; // 266.7: the step's D
        assertArrayEquals(new long[] {0, 3000}, r.holdNanos()[0]);
        assertArrayEquals(new long[] {Math.round(dDecode * 4), 0}, r.holdNanos()[1]);
        assertArrayEquals(new long[] {0, 0}, r.holdNanos()[2], "a layer faster than its baseline compute cannot be sped up");
        assertEquals(100 * 10 + 100 * 50, r.modelledHostNanos()[0], 1e-9);
        assertEquals(dDecode * (5 + 2), r.modelledHostNanos()[1], 1e-9, "the step's D x the reference step");
        assertEquals(200 * 1 + 300 * 2, r.modelledHostNanos()[2], 1e-9, "clamped at the baseline compute");
        assertEquals(1, r.clampedSteps());
        // The host's degradation is the reference's: (base host) / (modelled) = (base ref) / (emulated ref).
        assertEquals((1.0 + 2) / (5 + 2), (200 * 1 + 300 * 2) / r.modelledHostNanos()[1], 1e-12);
    }

    @Test
    void theCostOfResumingAfterAHoldIsMeasuredPerHeldLayerAndTakenOffLaterHolds() {
        double[][] base = {{10, 20}, {1, 2}, {1, 2}};
        double[][] emulated = {{10, 20}, {5, 2}, {5, 2}};
        double[][] d = {{100, 100}, {200, 300}};
        ReferenceTimeline.Result ref = result(emulated, base);
        Realization plain = Realization.of(ref, d);
        // Decode steps: the paired baseline computed 230 + 610 (above D x c_ref = 200 + 600: per-layer
        // medians undershoot, which is no cost of resuming); the emulated repeat took 50 more than that
        // around its one held layer.
        long[][] baseline = {{1000, 2000}, {230, 610}, {230, 610}};
        long[][] host = {{1000, 2000}, {280, 610}, {270, 620}};
        assertEquals(50, Realization.resumeOverheadNanos(host, plain.holdNanos(), ref.trace(), baseline), 1e-9);
        assertEquals(0, Realization.resumeOverheadNanos(baseline, plain.holdNanos(), ref.trace(), host), 1e-9, "never negative");
        Realization corrected = Realization.of(ref, d, 50);
        assertArrayEquals(new long[] {1017, 0}, corrected.holdNanos()[1], "1067 of hold, 50 of them paid by resuming");
        assertArrayEquals(plain.modelledHostNanos(), corrected.modelledHostNanos(), 1e-9);
        assertArrayEquals(new long[] {533, 0}, Realization.of(ref, d, 700).holdNanos()[1], "a correction takes at most half a hold");
    }
}
