package dev.tierlab.emulator.sched;

import dev.tierlab.emulator.latency.LatencyDistribution;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.HdrHistogram.Histogram;

/**
 * One direction (read or write) of one tier, in virtual time (nanoseconds). A transfer is split into
 * requests of the tier's granularity, issued in order. Each request takes the channel that frees
 * first, waits its sampled latency, then moves its bytes through the tier's pipe: a token bucket of
 * the tier's bandwidth with no burst credit, so bytes never flow faster than the bandwidth, however
 * long the tier was idle. A request holds its channel until its last byte has moved.
 *
 * <p>Because the pipe serves requests in order, completion times never decrease, so the channel
 * that frees first is always the one used {@code channels} requests ago: a ring, O(1) per request.
 */
public final class TierModel {

    private final double nanosPerByte;
    private final long granularity;
    private final long[] channelFreeAt;
    private final LatencyDistribution latency;
    private final RandomGenerator rng;
    private final Histogram latencyHistogram;
    private long pipeFreeAt = Long.MIN_VALUE;
    private long next;
    private long requests;
    private long bytes;

    /**
     * @param bytesPerSecond  +infinity for no bandwidth limit
     * @param latencyHistogram records each request's issue-to-completion time, or null
     */
    public TierModel(double bytesPerSecond, long granularity, int channels, LatencyDistribution latency, long seed,
            Histogram latencyHistogram) {
        this.nanosPerByte = Double.isInfinite(bytesPerSecond) ? 0 : 1e9 / bytesPerSecond;
        this.granularity = granularity;
        this.channelFreeAt = new long[channels];
        java.util.Arrays.fill(channelFreeAt, Long.MIN_VALUE);
        this.latency = latency;
        this.rng = new SplittableRandom(seed);
        this.latencyHistogram = latencyHistogram;
    }

    /** Issues {@code n} bytes at virtual time {@code issueAt}; returns when the last byte has arrived. */
    public long transfer(long issueAt, long n) {
        long done = issueAt;
        long left = n;
        while (left > 0) {
            long size = Math.min(left, granularity);
            done = request(issueAt, size);
            left -= size;
        }
        bytes += n;
        return done;
    }

    private long request(long issueAt, long size) {
        int ch = (int) (next++ % channelFreeAt.length);
        long start = Math.max(issueAt, channelFreeAt[ch]);
        long ready = start + latency.sample(rng);
        long flowStart = Math.max(ready, pipeFreeAt);
        long end = flowStart + Math.round(size * nanosPerByte);
        pipeFreeAt = end;
        channelFreeAt[ch] = end;
        requests++;
        if (latencyHistogram != null) {
            latencyHistogram.recordValue(Math.max(0, end - issueAt));
        }
        return end;
    }

    public long requests() {
        return requests;
    }

    public long bytes() {
        return bytes;
    }
}
