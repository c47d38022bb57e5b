package dev.tierlab.emulator.inject;

import dev.tierlab.emulator.timeline.ReferenceTimeline;

/**
 * How the host realises a reference timeline in {@code inject} mode: the hold of layer index l in step k
 * is D[phase][l] x (its reference duration − its all-top-tier compute c_ref), so that the host takes
 * D x the reference time for every layer. A layer the reference runs faster than its all-on-HBM
 * compute (a lower tier read in place beside HBM, faster than HBM) cannot be sped up on the host: its
 * hold is zero and the step is counted in {@link #clampedSteps}.
 *
 * @param holdNanos          per step and layer index, the wait injected before the layer computes
 * @param modelledHostNanos  per step, D x the reference step (what the host should measure)
 * @param clampedSteps       steps with at least one layer faster than its baseline compute
 */
public record Realization(long[][] holdNanos, double[] modelledHostNanos, int clampedSteps) {

    public static Realization of(ReferenceTimeline.Result emulated, double[][] dilation) {
        var trace = emulated.trace();
        int steps = trace.steps();
        long[][] holds = new long[steps][];
        double[] modelled = new double[steps];
        int clamped = 0;
        for (int k = 0; k < steps; k++) {
            double[] d = dilation[trace.isDecode(k) ? DilationWindow.DECODE : DilationWindow.PREFILL];
            int li = emulated.layerNanos()[k].length;
            holds[k] = new long[li];
            boolean c = false;
            for (int l = 0; l < li; l++) {
                double dl = Double.isFinite(d[l]) ? d[l] : 0;
                double excess = emulated.layerNanos()[k][l] - emulated.baseComputeNanos()[k][l];
                if (excess < -1e-9) {
                    c = true;
                    excess = 0;
                }
                holds[k][l] = Math.round(dl * excess);
                modelled[k] += dl * (emulated.baseComputeNanos()[k][l] + excess);
            }
            if (c) {
                clamped++;
            }
        }
        return new Realization(holds, modelled, clamped);
    }
}
