package dev.tierlab.emulator.service;

import dev.tierlab.emulator.latency.LatencyDistribution;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * One direction (read or write) of one tier, in reference time (nanoseconds, as doubles so that
 * nanosecond-scale transfers of small requests do not round away). The service model of DESIGN.md:
 * <ul>
 *   <li>A transfer is cut into requests of the tier's granularity. {@code channels} channels (dies,
 *       planes, queues) each serve one request at a time for the request's sampled device latency; a
 *       request takes the channel that frees first. When its latency ends, the channel starts its next
 *       request at once (cache-read pipelining), so a stall holds only its own channel.</li>
 *   <li>A request whose latency has ended joins the link: bandwidth B, served in the order data becomes
 *       ready, not in issue order.</li>
 * </ul>
 * Throughput is therefore min(B, channels x granularity / mean latency), plus one fill latency per burst.
 *
 * <p>Batches are issued with non-decreasing issue times and resolved lazily: {@link #completion}
 * serves the link in ready order until the batch asked for is done. A caller must not issue a batch
 * earlier than the completion it last resolved (the timeline guarantees this: a layer's reads are
 * resolved before anything is issued later than them), so no later issue can overtake served data.
 * Device latency, queueing (channel wait plus link wait) and transfer go to separate histograms.
 *
 * <p>Not thread-safe. Allocates only when a batch or the pending queue outgrows its arrays.
 */
public final class TierService {

    /** At most this many requests per {@link #issue}: beyond it a tier spec is a modelling error. */
    public static final long MAX_REQUESTS_PER_BATCH = 4_000_000;

    private final double nanosPerByte;
    private final long granularityBytes;
    private final LatencyDistribution latency;
    private final SplittableRandom rng;

    private final double[] channelFreeAt; // min-heap of the times channels can take their next request
    private double linkFreeAt = Double.NEGATIVE_INFINITY;

    // Pending requests (latency running or ended, not yet through the link): a min-heap by ready time.
    private double[] pendingReady = new double[1024];
    private double[] pendingChannelWait = new double[1024];
    private long[] pendingBytes = new long[1024];
    private int[] pendingBatch = new int[1024];
    private int pending;

    private int[] batchRemaining = new int[64];
    private double[] batchDone = new double[64];
    private int batches;

    private final Histogram deviceLatency;
    private final Histogram queueing;
    private final Histogram transfer;
    private long requests;
    private long bytes;

    /**
     * @param bytesPerSecond link bandwidth, positive
     * @param histograms     record per-request figures (false for quick closed-form checks)
     */
    public TierService(double bytesPerSecond, long granularityBytes, int channels, LatencyDistribution latency, long seed,
            boolean histograms) {
        if (!(bytesPerSecond > 0)) {
            throw new IllegalArgumentException("bytesPerSecond must be > 0, got " + bytesPerSecond);
        }
        if (granularityBytes <= 0) {
            throw new IllegalArgumentException("granularityBytes must be > 0, got " + granularityBytes);
        }
        if (channels <= 0) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        this.nanosPerByte = Double.isInfinite(bytesPerSecond) ? 0 : 1e9 / bytesPerSecond;
        this.granularityBytes = granularityBytes;
        this.latency = latency;
        this.rng = new SplittableRandom(seed);
        this.channelFreeAt = new double[channels];
        Arrays.fill(channelFreeAt, Double.NEGATIVE_INFINITY);
        this.deviceLatency = histograms ? new Histogram(3) : null;
        this.queueing = histograms ? new Histogram(3) : null;
        this.transfer = histograms ? new Histogram(3) : null;
    }

    /** Requests a transfer of {@code n} bytes would take. */
    public long requestsFor(long n) {
        return (n + granularityBytes - 1) / granularityBytes;
    }

    /** Issues {@code n > 0} bytes at {@code issueAt}; returns the batch's handle for {@link #completion}. */
    public int issue(double issueAt, long n) {
        long count = requestsFor(n);
        if (count > MAX_REQUESTS_PER_BATCH) {
            throw new IllegalStateException("%d requests in one batch (over %d)".formatted(count, MAX_REQUESTS_PER_BATCH));
        }
        if (batches == batchRemaining.length) {
            batchRemaining = Arrays.copyOf(batchRemaining, batches * 2);
            batchDone = Arrays.copyOf(batchDone, batches * 2);
        }
        int b = batches++;
        batchRemaining[b] = (int) count;
        batchDone[b] = issueAt;
        long left = n;
        while (left > 0) {
            long size = Math.min(left, granularityBytes);
            double free = channelFreeAt[0];
            double start = Math.max(issueAt, free);
            double lat = latency.sample(rng);
            double ready = start + lat;
            channelFreeAt[0] = ready;
            siftDownChannels();
            push(ready, start - issueAt, size, b);
            if (deviceLatency != null) {
                deviceLatency.recordValue(Math.round(lat));
            }
            left -= size;
        }
        requests += count;
        bytes += n;
        return b;
    }

    /** When the last byte of batch {@code b} has crossed the link. */
    public double completion(int b) {
        while (batchRemaining[b] > 0) {
            serveOne();
        }
        return batchDone[b];
    }

    /** Serves every pending request (used when a repeat's timeline ends). */
    public void drain() {
        while (pending > 0) {
            serveOne();
        }
    }

    private void serveOne() {
        double ready = pendingReady[0];
        double channelWait = pendingChannelWait[0];
        long size = pendingBytes[0];
        int b = pendingBatch[0];
        pop();
        double start = Math.max(ready, linkFreeAt);
        double xfer = size * nanosPerByte;
        double end = start + xfer;
        linkFreeAt = end;
        if (end > batchDone[b]) {
            batchDone[b] = end;
        }
        batchRemaining[b]--;
        if (queueing != null) {
            queueing.recordValue(Math.round(channelWait + (start - ready)));
            transfer.recordValue(Math.round(xfer));
        }
    }

    private void siftDownChannels() {
        double[] h = channelFreeAt;
        int n = h.length;
        int i = 0;
        double v = h[0];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && h[c + 1] < h[c]) {
                c++;
            }
            if (h[c] >= v) {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        h[i] = v;
    }

    private void push(double ready, double channelWait, long size, int batch) {
        if (pending == pendingReady.length) {
            int cap = pending * 2;
            pendingReady = Arrays.copyOf(pendingReady, cap);
            pendingChannelWait = Arrays.copyOf(pendingChannelWait, cap);
            pendingBytes = Arrays.copyOf(pendingBytes, cap);
            pendingBatch = Arrays.copyOf(pendingBatch, cap);
        }
        int i = pending++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (pendingReady[p] <= ready) {
                break;
            }
            move(p, i);
            i = p;
        }
        pendingReady[i] = ready;
        pendingChannelWait[i] = channelWait;
        pendingBytes[i] = size;
        pendingBatch[i] = batch;
    }

    private void pop() {
        int last = --pending;
        if (last == 0) {
            return;
        }
        double ready = pendingReady[last];
        double wait = pendingChannelWait[last];
        long size = pendingBytes[last];
        int batch = pendingBatch[last];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= last) {
                break;
            }
            if (c + 1 < last && pendingReady[c + 1] < pendingReady[c]) {
                c++;
            }
            if (pendingReady[c] >= ready) {
                break;
            }
            move(c, i);
            i = c;
        }
        pendingReady[i] = ready;
        pendingChannelWait[i] = wait;
        pendingBytes[i] = size;
        pendingBatch[i] = batch;
    }

    private void move(int from, int to) {
        pendingReady[to] = pendingReady[from];
        pendingChannelWait[to] = pendingChannelWait[from];
        pendingBytes[to] = pendingBytes[from];
        pendingBatch[to] = pendingBatch[from];
    }

    public long requests() {
        return requests;
    }

    public long bytes() {
        return bytes;
    }

    /** Per-request device latency (ns); null without histograms. */
    public Histogram deviceLatency() {
        return deviceLatency;
    }

    /** Per-request queueing: waiting for a channel plus waiting for the link (ns). */
    public Histogram queueing() {
        return queueing;
    }

    /** Per-request time on the link (ns). */
    public Histogram transfer() {
        return transfer;
    }
}
