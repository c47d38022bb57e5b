package dev.tierlab.emulator.inject;

import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.emulator.timeline.Trace;

/**
 * How the host realises a reference timeline in {@code inject} mode. Each layer index l computes on the
 * host at its own dilation D[phase][l] x its all-top-tier compute c_ref; the time a tier adds on the
 * reference, its excess (reference duration − c_ref), is dilated by the step's dilation
 * D_k = sum_l D[l] c_ref(k, l) / sum_l c_ref(k, l), so that the host takes D_k x the reference step
 * and a step's measured degradation is the reference's whatever the spread of D over its layers.
 * (Dilating each excess by its own layer's D weighted the excess by where it fell: with the excess in
 * a mixture-of-experts model's expert blocks, whose D sat above the step's, the measured degradation
 * read 3-10% harsher than the reference.) A layer the reference runs faster than its all-on-HBM
 * compute (a lower tier read in place beside HBM, faster than HBM) cannot be sped up on the host: its
 * hold is zero and the step is counted in {@link #clampedSteps}.
 *
 * <p>Holds may be shortened by the host's measured cost of resuming after a hold; the modelled host
 * time is unchanged by it.
 *
 * @param holdNanos          per step and layer index, the wait injected before the layer computes
 * @param modelledHostNanos  per step, D_k x the reference step (what the host should measure)
 * @param clampedSteps       steps with at least one layer faster than its baseline compute
 */
public record Realization(long[][] holdNanos, double[] modelledHostNanos, int clampedSteps) {

    public static Realization of(ReferenceTimeline.Result emulated, double[][] dilation) {
        return of(emulated, dilation, 0);
    }

    /**
     * As {@link #of(ReferenceTimeline.Result, double[][])}, with each hold shortened by
     * {@code resumeOverheadNanos}: what the host measurably pays to resume compute after a hold (OpenMP
     * workers that went to sleep during it wake up), so that hold plus resume is still D x the excess.
     * The correction takes at most half of any hold.
     */
    public static Realization of(ReferenceTimeline.Result emulated, double[][] dilation, double resumeOverheadNanos) {
        var trace = emulated.trace();
        int steps = trace.steps();
        long[][] holds = new long[steps][];
        double[] modelled = new double[steps];
        int clamped = 0;
        for (int k = 0; k < steps; k++) {
            double[] d = dilation[trace.isDecode(k) ? DilationWindow.DECODE : DilationWindow.PREFILL];
            int li = emulated.layerNanos()[k].length;
            holds[k] = new long[li];
            double[] base = emulated.baseComputeNanos()[k];
            double hostCompute = 0;
            double refCompute = 0;
            for (int l = 0; l < li; l++) {
                if (Double.isFinite(d[l])) {
                    hostCompute += d[l] * base[l];
                    refCompute += base[l];
                }
            }
            double dk = refCompute > 0 ? hostCompute / refCompute : 0;
            boolean c = false;
            modelled[k] = hostCompute;
            for (int l = 0; l < li; l++) {
                double excess = emulated.layerNanos()[k][l] - base[l];
                if (excess < -1e-9) {
                    c = true;
                    excess = 0;
                }
                long hold = Math.round(dk * excess);
                // The correction never takes more than half a hold: one noisy measurement cannot erase short holds.
                holds[k][l] = hold > 0 ? Math.max(hold - Math.round(resumeOverheadNanos), hold / 2) : 0;
                modelled[k] += dk * excess;
            }
            if (c) {
                clamped++;
            }
        }
        return new Realization(holds, modelled, clamped);
    }

    /**
     * The host's cost of resuming after a hold, per held layer, from an emulated repeat and the baseline
     * repeat paired with it (same workload, same trace): (median over decode steps of the emulated
     * repeat's hold-free host step − the same median of the baseline) / the median number of held
     * layers per decode step. Zero when no layer was held or the emulated repeat computed no slower.
     *
     * <p>It is measured against the baseline's own steps, not against D x c_ref: D is built from
     * per-layer medians, whose sum sits a few percent below the median step, and that gap is not a
     * cost of resuming. Taking it for one shortened short holds by a third.
     *
     * @param hostNanos hold-free host time per step and layer index of the emulated repeat
     * @param holds the holds planned for it (only which layers were held matters)
     * @param baselineHostNanos hold-free host time per step and layer index of the baseline repeat
     */
    public static double resumeOverheadNanos(long[][] hostNanos, long[][] holds, Trace trace, long[][] baselineHostNanos) {
        double[] emulated = decodeStepSums(hostNanos, trace);
        double[] baseline = decodeStepSums(baselineHostNanos, trace);
        double[] held = new double[emulated.length];
        int m = 0;
        for (int k = 0; k < trace.steps() && k < hostNanos.length && k < holds.length; k++) {
            if (trace.isDecode(k)) {
                held[m++] = java.util.Arrays.stream(holds[k]).filter(h -> h > 0).count();
            }
        }
        if (emulated.length == 0 || baseline.length == 0 || m == 0) {
            return 0;
        }
        double layers = DilationWindow.median(java.util.Arrays.copyOf(held, m));
        if (layers <= 0) {
            return 0;
        }
        return Math.max(0, (DilationWindow.median(emulated) - DilationWindow.median(baseline)) / layers);
    }

    private static double[] decodeStepSums(long[][] host, Trace trace) {
        double[] out = new double[host.length];
        int m = 0;
        for (int k = 0; k < trace.steps() && k < host.length; k++) {
            if (trace.isDecode(k)) {
                out[m++] = java.util.Arrays.stream(host[k]).sum();
            }
        }
        return java.util.Arrays.copyOf(out, m);
    }
}
