package dev.tierlab.emulator.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaHostAlloc;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocMapped;
import static org.bytedeco.cuda.global.cudart.cudaHostGetDevicePointer;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemset;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * {@code tierlab calibrate --gpu}: the GPU's memory paths timed with CUDA events on one stream.
 * <ul>
 *   <li>HBM: device-to-device copy bandwidth, counted as bytes read plus bytes written per second
 *       (how datasheets count it), and a streaming read kernel's bandwidth;</li>
 *   <li>host to device and back, pinned and pageable, over a size sweep (median of the repeats);</li>
 *   <li>latency of single pinned host-to-device copies of 4 KiB to 2 MiB, as HdrHistograms in ns;</li>
 *   <li>mapped pinned host memory read in place by a kernel (the host-mapped tier).</li>
 * </ul>
 */
public final class GpuCalibration {

    public static final long[] SWEEP_BYTES = {64L << 10, 256L << 10, 1L << 20, 4L << 20, 16L << 20, 64L << 20, 256L << 20};
    public static final long[] LATENCY_BYTES = {4L << 10, 64L << 10, 2L << 20};

    /** One transfer direction and host-memory kind over the sweep: bytes -> median bytes/s. */
    public record Transfer(String name, Map<Long, Double> bytesPerSecondBySize) {
        public double largest() {
            return bytesPerSecondBySize.get(SWEEP_BYTES[SWEEP_BYTES.length - 1]);
        }
    }

    /**
     * @param d2dBytesPerSecond        device-to-device copy, read + write bytes per second
     * @param hbmReadBytesPerSecond    streaming read kernel over device memory
     * @param mappedReadBytesPerSecond the same kernel over mapped pinned host memory
     * @param copyLatencyNanos         pinned H2D copy latency by size
     */
    public record Result(Map<String, Object> device, double d2dBytesPerSecond, double hbmReadBytesPerSecond,
            double mappedReadBytesPerSecond, List<Transfer> transfers, Map<Long, Histogram> copyLatencyNanos) {

        public Transfer transfer(String name) {
            return transfers.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        }
    }

    private final Cuda cuda;
    private final CUstream_st stream = new CUstream_st();
    private final CUevent_st start = new CUevent_st();
    private final CUevent_st stop = new CUevent_st();
    private final int repeats;

    public GpuCalibration(int repeats) {
        this.cuda = Cuda.device();
        this.repeats = repeats;
    }

    public Result run(long hbmBytes, long mappedBytes, int latencySamples) {
        Cuda.check(cudaStreamCreate(stream), "cudaStreamCreate");
        Cuda.check(cudaEventCreate(start), "cudaEventCreate");
        Cuda.check(cudaEventCreate(stop), "cudaEventCreate");
        try (CudaModule kernels = new CudaModule(GpuCalibration.class, "/dev/tierlab/emulator/cuda/calibrate.ptx")) {
            Pointer a = deviceAlloc(hbmBytes);
            Pointer b = deviceAlloc(hbmBytes);
            Pointer sink = deviceAlloc(64);
            double d2d = 2.0 * hbmBytes / median(() -> cudaMemcpyAsync(b, a, hbmBytes, cudaMemcpyDeviceToDevice, stream), "D2D copy");
            int sms = (Integer) cuda.properties().get("multiprocessors");
            double hbmRead = hbmBytes / median(() -> readKernel(kernels, a, hbmBytes, sink, sms), "HBM read kernel");

            long maxSweep = SWEEP_BYTES[SWEEP_BYTES.length - 1];
            Pointer pinned = new Pointer();
            Cuda.check(cudaHostAlloc(pinned, Math.max(maxSweep, mappedBytes), cudaHostAllocMapped), "cudaHostAlloc(mapped)");
            BytePointer pageable = new BytePointer(maxSweep);
            pageable.fill(1);
            List<Transfer> transfers = new ArrayList<>();
            transfers.add(sweep("h2d_pinned", b, pinned, cudaMemcpyHostToDevice));
            transfers.add(sweep("d2h_pinned", pinned, b, cudaMemcpyDeviceToHost));
            transfers.add(sweep("h2d_pageable", b, pageable, cudaMemcpyHostToDevice));
            transfers.add(sweep("d2h_pageable", pageable, b, cudaMemcpyDeviceToHost));

            Map<Long, Histogram> latency = new LinkedHashMap<>();
            for (long size : LATENCY_BYTES) {
                Histogram h = new Histogram(1, 10_000_000_000L, 3);
                for (int i = 0; i < latencySamples; i++) {
                    h.recordValue(Math.max(1, Math.round(1e6 * timedMillis(() -> cudaMemcpyAsync(b, pinned, size, cudaMemcpyHostToDevice, stream),
                            "H2D latency"))));
                }
                latency.put(size, h);
            }

            Pointer mappedDevice = new Pointer();
            Cuda.check(cudaHostGetDevicePointer(mappedDevice, pinned, 0), "cudaHostGetDevicePointer");
            double mapped = mappedBytes / median(() -> readKernel(kernels, mappedDevice, mappedBytes, sink, sms), "mapped read kernel");

            pageable.close();
            cudaFreeHost(pinned);
            cudaFree(a);
            cudaFree(b);
            cudaFree(sink);
            return new Result(cuda.properties(), d2d, hbmRead, mapped, transfers, latency);
        } finally {
            cudaEventDestroy(start);
            cudaEventDestroy(stop);
            cudaStreamDestroy(stream);
        }
    }

    private int readKernel(CudaModule kernels, Pointer src, long bytes, Pointer sink, int sms) {
        kernels.launch("read_stream", 8 * sms, 1, 512, 0, stream, src, bytes / 16, sink);
        return 0;
    }

    private Transfer sweep(String name, Pointer dst, Pointer src, int kind) {
        Map<Long, Double> bw = new LinkedHashMap<>();
        for (long size : SWEEP_BYTES) {
            bw.put(size, size / median(() -> cudaMemcpyAsync(dst, src, size, kind, stream), name));
        }
        return new Transfer(name, bw);
    }

    private static Pointer deviceAlloc(long bytes) {
        Pointer p = new Pointer();
        Cuda.check(cudaMalloc(p, bytes), "cudaMalloc(%d bytes)".formatted(bytes));
        Cuda.check(cudaMemset(p, 1, bytes), "cudaMemset");
        return p;
    }

    /** Median seconds of {@code repeats} timed runs after one warm-up. */
    private double median(Op op, String what) {
        timedMillis(op, what);
        double[] s = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            s[i] = timedMillis(op, what) / 1e3;
        }
        Arrays.sort(s);
        return s[repeats / 2];
    }

    /** Milliseconds between events recorded on the stream around {@code op}. */
    private double timedMillis(Op op, String what) {
        Cuda.check(cudaEventRecord(start, stream), "cudaEventRecord");
        Cuda.check(op.enqueue(), what);
        Cuda.check(cudaEventRecord(stop, stream), "cudaEventRecord");
        Cuda.check(cudaEventSynchronize(stop), "cudaEventSynchronize(" + what + ")");
        float[] ms = new float[1];
        Cuda.check(cudaEventElapsedTime(ms, start, stop), "cudaEventElapsedTime");
        return ms[0];
    }

    @FunctionalInterface
    private interface Op {
        int enqueue();
    }
}
