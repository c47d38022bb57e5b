package dev.tierlab.emulator;

import java.util.Arrays;

/**
 * How long an unconstrained decode step spends in each stretch of compute, measured on the same
 * engine: {@code segments[0]} from step start to layer 0, {@code segments[i + 1]} from layer i's
 * start to the next layer's (the last one, the output head's, runs to the step's end).
 */
public record ComputeProfile(double[] segmentNanos) {

    public ComputeProfile {
        segmentNanos = segmentNanos.clone();
    }

    public double totalNanos() {
        return Arrays.stream(segmentNanos).sum();
    }

    /** Compute time before the first layer starts. */
    public double beforeFirstLayer() {
        return segmentNanos[0];
    }

    /** Compute time of layer index {@code i} (0..n, n the output head). */
    public double layer(int i) {
        return segmentNanos[i + 1];
    }

    public int layerCount() {
        return segmentNanos.length - 1;
    }
}
