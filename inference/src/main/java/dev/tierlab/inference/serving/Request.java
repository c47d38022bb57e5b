package dev.tierlab.inference.serving;

/**
 * One request of a serving workload: when it is scheduled to arrive (nanoseconds from the start of
 * the run, on the run's clock), how many prompt tokens it brings and how many tokens it wants.
 */
public record Request(int id, long arrivalNanos, int promptTokens, int outputTokens) {

    public Request {
        if (arrivalNanos < 0 || promptTokens < 1 || outputTokens < 1) {
            throw new IllegalArgumentException("a request needs arrival >= 0, prompt >= 1 and output >= 1 tokens: id " + id
                    + ", arrival " + arrivalNanos + " ns, prompt " + promptTokens + ", output " + outputTokens);
        }
    }
}
