package dev.tierlab.emulator.ledger;

import org.HdrHistogram.Histogram;

/** What one tier did over a run: bytes, requests, the stall it caused, its access latencies (ns). */
public final class TierLedger {
    private final String tier;
    private final Histogram readLatency = new Histogram(3);
    private final Histogram writeLatency = new Histogram(3);
    long bytesRead;
    long bytesWritten;
    long readRequests;
    long writeRequests;
    long stallNanos;

    public TierLedger(String tier) {
        this.tier = tier;
    }

    public String tier() {
        return tier;
    }

    public Histogram readLatency() {
        return readLatency;
    }

    public Histogram writeLatency() {
        return writeLatency;
    }

    public long bytesRead() {
        return bytesRead;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long requests() {
        return readRequests + writeRequests;
    }

    public long stallNanos() {
        return stallNanos;
    }

    public void addRead(long bytes, long requests) {
        bytesRead += bytes;
        readRequests += requests;
    }

    public void addWrite(long bytes, long requests) {
        bytesWritten += bytes;
        writeRequests += requests;
    }

    public void addStall(long nanos) {
        stallNanos += nanos;
    }

    public void reset() {
        bytesRead = bytesWritten = readRequests = writeRequests = stallNanos = 0;
        readLatency.reset();
        writeLatency.reset();
    }
}
