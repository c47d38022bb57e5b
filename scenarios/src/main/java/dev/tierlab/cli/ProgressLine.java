package dev.tierlab.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on stderr: redrawn in place on a terminal, a line every 10% otherwise, so logs from
 * batch jobs stay readable.
 */
final class ProgressLine {
    private final PrintWriter err;
    private final String label;
    private final boolean terminal = System.console() != null;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private int lastDecile = -1;

    ProgressLine(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    void update(long done, long total) {
        double fraction = total == 0 ? 1 : (double) done / total;
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDrawNanos > 200_000_000L || done == total) {
                err.printf(Locale.ROOT, "\r%s: %5.1f%% (%s of %s)%s", label, 100 * fraction, Units.bytes(done),
                        Units.bytes(total), eta(fraction, now));
                err.flush();
                lastDrawNanos = now;
            }
        } else {
            int decile = (int) (fraction * 10);
            if (decile != lastDecile) {
                err.printf(Locale.ROOT, "%s: %3d%% (%s of %s)%n", label, decile * 10, Units.bytes(done), Units.bytes(total));
                err.flush();
                lastDecile = decile;
            }
        }
    }

    private String eta(double fraction, long now) {
        if (fraction <= 0.01 || fraction >= 1) {
            return "          ";
        }
        double left = (now - startNanos) / 1e9 * (1 - fraction) / fraction;
        return String.format(Locale.ROOT, ", ETA %3.0fs  ", left);
    }

    void finish() {
        if (terminal) {
            err.println();
        }
        err.flush();
    }
}
