package dev.tierlab.inference.serving;

import java.util.SplittableRandom;

/** Token counts of prompts or outputs: a fixed length, or uniform over [min, max]. */
public record LengthDistribution(int min, int max) {

    public LengthDistribution {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("lengths need 1 <= min <= max, got [" + min + ", " + max + "]");
        }
    }

    public static LengthDistribution fixed(int n) {
        return new LengthDistribution(n, n);
    }

    public int draw(SplittableRandom rnd) {
        return min == max ? min : rnd.nextInt(min, max + 1);
    }

    @Override
    public String toString() {
        return min == max ? Integer.toString(min) : "uniform[" + min + "," + max + "]";
    }
}
