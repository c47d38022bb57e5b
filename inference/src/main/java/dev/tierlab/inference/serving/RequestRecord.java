package dev.tierlab.inference.serving;

/**
 * What happened to one request, on the run's clock: scheduled arrival (from the request), admission
 * (its first step into the batch), first token and finish. "Corrected" figures are measured from the
 * scheduled arrival, so time spent queueing behind a stall counts; "uncorrected" ones from admission,
 * as a load generator that only sends when the server is free would measure them.
 */
public record RequestRecord(Request request, long admittedNanos, long firstTokenNanos, long finishedNanos, int[] tokens,
        float[] margins) {

    public long queueNanos() {
        return admittedNanos - request.arrivalNanos();
    }

    public long ttftNanos() {
        return firstTokenNanos - request.arrivalNanos();
    }

    public long ttftUncorrectedNanos() {
        return firstTokenNanos - admittedNanos;
    }

    public long e2eNanos() {
        return finishedNanos - request.arrivalNanos();
    }

    public long e2eUncorrectedNanos() {
        return finishedNanos - admittedNanos;
    }

    /** Mean time per output token after the first; -1 for a request of one output token (it has none). */
    public long tpotNanos() {
        int n = request.outputTokens();
        return n > 1 ? (finishedNanos - firstTokenNanos) / (n - 1) : -1;
    }
}
