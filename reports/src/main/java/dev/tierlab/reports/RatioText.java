package dev.tierlab.reports;

import dev.tierlab.reports.stats.RatioEstimate;
import java.util.Locale;

/**
 * How a ratio against baseline reads in every report (HTML, Markdown, CSV): a number with its
 * interval only when it is conclusive, "inconclusive" otherwise.
 */
final class RatioText {

    private RatioText() {
    }

    /** "0.712 (0.690–0.731)", "inconclusive (0.970–1.020 includes 1)", "inconclusive: n=3 < 6", or "–". */
    static String of(RatioEstimate e) {
        if (e.n() == 0 || !Double.isFinite(e.ratio().estimate())) {
            return "–";
        }
        if (!e.enoughSamples()) {
            return "inconclusive: n=" + e.n() + " < " + RatioEstimate.MIN_N;
        }
        if (!e.ratio().hasInterval()) {
            return "inconclusive: no interval";
        }
        if (!e.conclusive()) {
            return "inconclusive (" + f3(e.ratio().low()) + "–" + f3(e.ratio().high()) + " includes 1)";
        }
        return f3(e.ratio().estimate()) + " (" + f3(e.ratio().low()) + "–" + f3(e.ratio().high()) + ")";
    }

    /** The verdict word for CSV: conclusive, inconclusive, too_few, none. */
    static String verdict(RatioEstimate e) {
        if (e.n() == 0) {
            return "none";
        }
        if (!e.enoughSamples()) {
            return "too_few";
        }
        return e.conclusive() ? "conclusive" : "inconclusive";
    }

    /** "±1.4%" precision reached, or "–". */
    static String precision(RatioEstimate e) {
        double p = e.precision();
        return Double.isFinite(p) ? String.format(Locale.ROOT, "±%.1f%%", 100 * p) : "–";
    }

    /** "0.71 (0.70–0.73)" reference median and range, or "–". */
    static String reference(ReferenceRatio r) {
        if (!r.present()) {
            return "–";
        }
        return r.min() == r.max() ? f3(r.median()) : f3(r.median()) + " (" + f3(r.min()) + "–" + f3(r.max()) + ")";
    }

    static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
