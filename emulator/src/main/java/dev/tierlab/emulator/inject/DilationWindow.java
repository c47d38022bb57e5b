package dev.tierlab.emulator.inject;

import dev.tierlab.emulator.timeline.ReferenceTimeline;
import dev.tierlab.emulator.timeline.Trace;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Dilation D = c_host / c_ref per layer index and phase (prefill, decode), from the hold-free compute
 * of the most recent baseline repeats: each baseline gives, per layer and phase, the median over its
 * steps of host time / reference compute; D is the median of the last {@code window} of those. A held
 * (emulated) repeat never feeds it, so a preemption during a hold cannot become a giant hold.
 */
public final class DilationWindow {

    public static final int PREFILL = 0;
    public static final int DECODE = 1;

    private final int window;
    private final Deque<double[][]> recent = new ArrayDeque<>();

    public DilationWindow(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        this.window = window;
    }

    /**
     * Adds one baseline repeat: {@code hostNanos[k][l]} is step k's hold-free host time of layer index l,
     * {@code base} the reference timeline of the same trace with every byte on the top tier.
     */
    public void add(long[][] hostNanos, Trace trace, ReferenceTimeline.Result base) {
        int li = base.baseComputeNanos()[0].length;
        double[][] d = new double[2][li];
        for (int phase = 0; phase < 2; phase++) {
            for (int l = 0; l < li; l++) {
                double[] r = new double[trace.steps()];
                int m = 0;
                for (int k = 0; k < trace.steps(); k++) {
                    if ((phase == DECODE) == trace.isDecode(k) && base.baseComputeNanos()[k][l] > 0) {
                        r[m++] = hostNanos[k][l] / base.baseComputeNanos()[k][l];
                    }
                }
                d[phase][l] = m == 0 ? Double.NaN : median(Arrays.copyOf(r, m));
            }
        }
        recent.addLast(d);
        while (recent.size() > window) {
            recent.removeFirst();
        }
    }

    public boolean isEmpty() {
        return recent.isEmpty();
    }

    /** D[phase][layer]: the median over the window. */
    public double[][] current() {
        if (recent.isEmpty()) {
            throw new IllegalStateException("no baseline repeat yet");
        }
        double[][] first = recent.getFirst();
        double[][] out = new double[2][first[0].length];
        for (int p = 0; p < 2; p++) {
            for (int l = 0; l < out[p].length; l++) {
                double[] v = new double[recent.size()];
                int i = 0;
                for (double[][] d : recent) {
                    v[i++] = d[p][l];
                }
                out[p][l] = median(v);
            }
        }
        return out;
    }

    /** One number for reports: decode D summed over layers weighted by reference compute (host step / reference step). */
    public static double stepDilation(double[][] d, ReferenceTimeline.Result base, int phase) {
        double host = 0;
        double ref = 0;
        for (int k = 0; k < base.trace().steps(); k++) {
            if ((phase == DECODE) == base.trace().isDecode(k)) {
                for (int l = 0; l < d[phase].length; l++) {
                    host += d[phase][l] * base.baseComputeNanos()[k][l];
                    ref += base.baseComputeNanos()[k][l];
                }
            }
        }
        return ref == 0 ? Double.NaN : host / ref;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
