package dev.tierlab.emulator.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.latency.LatencyDistribution.Fixed;
import dev.tierlab.emulator.service.TierService;
import org.junit.jupiter.api.Test;

/** The channel-and-link service model against closed forms (1 GB/s = 1 ns per byte). */
class TierServiceTest {

    @Test
    void bandwidthBoundThroughputIsTheLinkPlusOneFillLatency() {
        // 64 channels x 1000 B / 1000 ns = 64 GB/s of channel throughput, link 1 GB/s: link-bound.
        TierService s = new TierService(1e9, 1000, 64, new Fixed(1000), 1, true);
        int b = s.issue(0, 100_000);
        assertEquals(1000 + 100_000, s.completion(b), 1e-6);
        assertEquals(100, s.requests());
    }

    @Test
    void latencyBoundThroughputIsChannelsTimesGranularityOverLatency() {
        // 2 channels x 100 B / 1000 ns = 0.2 GB/s < 1 GB/s link. 10 requests: 5 rounds of 1000 ns;
        // the last round's two requests are ready together and cross the link one after the other.
        TierService s = new TierService(1e9, 100, 2, new Fixed(1000), 1, true);
        int b = s.issue(0, 1000);
        assertEquals(5 * 1000 + 2 * 100, s.completion(b), 1e-6);
        // Little's law, over a long burst: bytes / time -> channels x granularity / latency.
        TierService big = new TierService(1e9, 100, 2, new Fixed(1000), 1, false);
        double t = big.completion(big.issue(0, 1_000_000));
        assertEquals(0.2, 1_000_000 / t, 0.001);
    }

    @Test
    void aStallHoldsOnlyItsOwnChannelAndTheLinkServesReadyDataFirst() {
        // One request in a hundred stalls 1 ms. With 8 channels and in-order service, every request
        // behind a stalled one would wait for it; served in ready order, the burst ends about when the
        // slowest channel's queue does.
        LatencyDistribution stalls = LatencyDistribution.Mixture.withStalls(new Fixed(1000), 0.01, 1_000_000);
        TierService s = new TierService(1e9, 1000, 8, stalls, 7, true);
        double done = s.completion(s.issue(0, 800_000));
        // 800 requests over 8 channels = 100 rounds of 1 us; about 8 stalls of 1 ms spread over channels.
        assertTrue(done < 800_000 + 1000 + 3 * 1_000_000, "stalls added in series: " + done);
        assertTrue(done >= 800_000, "the link still moves every byte: " + done);
        assertEquals(800, s.queueing().getTotalCount());
        assertTrue(s.deviceLatency().getMaxValue() >= 1_000_000, "the stall is device latency, not queueing");
    }

    @Test
    void laterBatchesOvertakeAStalledOneOnTheLink() {
        // Batch A: one request whose latency is long; batch B, issued later, is ready first and must not wait.
        TierService s = new TierService(1e9, 100, 2, new LatencyDistribution.Uniform(5000, 5000), 1, false);
        TierService quick = new TierService(1e9, 100, 2, new Fixed(10), 1, false);
        int a = s.issue(0, 100);
        assertEquals(5100, s.completion(a), 1e-6);
        int qa = quick.issue(0, 100);
        int qb = quick.issue(20, 100);
        assertEquals(110, quick.completion(qa), 1e-6);
        assertEquals(210, quick.completion(qb), 1e-6);
    }

    @Test
    void histogramsKeepDeviceLatencyQueueingAndTransferApart() {
        TierService s = new TierService(1e9, 1000, 1, new Fixed(500), 1, true);
        s.completion(s.issue(0, 3000));
        // r0: 0..500 latency, link 500..1500; r1: channel free at 500, latency to 1000, link 1500..2500 (waits 500).
        assertEquals(500, s.deviceLatency().getMaxValue(), 1);
        assertEquals(1000, s.transfer().getMaxValue(), 1);
        assertTrue(s.queueing().getMaxValue() >= 900, "link waits are queueing");
    }
}
