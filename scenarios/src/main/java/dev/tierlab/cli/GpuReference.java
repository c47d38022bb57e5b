package dev.tierlab.cli;

import dev.tierlab.emulator.cuda.GpuCalibration;
import dev.tierlab.run.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code tierlab calibrate --gpu}: runs {@link GpuCalibration} and writes the reference-system file
 * that scenarios name as {@code reference: {file: ...}}, with the tier presets {@code gpu-hbm},
 * {@code pcie-pinned} (staged copies over PCIe from pinned host memory) and {@code host-mapped}
 * (mapped pinned host memory read in place), and the copy-latency histograms beside it.
 */
final class GpuReference {

    private GpuReference() {
    }

    static int calibrate(PrintWriter o, Path file, int repeats) throws IOException {
        GpuCalibration.Result r = new GpuCalibration(repeats).run(2L << 30, 1L << 30, 2000);
        o.printf(Locale.ROOT, "GPU                     %s (compute %s, %s SMs, driver CUDA %s)%n", r.device().get("name"),
                r.device().get("compute_capability"), r.device().get("multiprocessors"), r.device().get("driver_cuda_version"));
        o.printf(Locale.ROOT, "HBM copy (D2D)          %.1f GB/s read+write; streaming read kernel %.1f GB/s%n",
                r.d2dBytesPerSecond() / 1e9, r.hbmReadBytesPerSecond() / 1e9);
        o.printf(Locale.ROOT, "%-14s", "size");
        for (long s : GpuCalibration.SWEEP_BYTES) {
            o.printf(Locale.ROOT, " %9s", Units.bytes(s));
        }
        o.println("   (GB/s, median of " + repeats + ")");
        for (GpuCalibration.Transfer t : r.transfers()) {
            o.printf(Locale.ROOT, "%-14s", t.name());
            t.bytesPerSecondBySize().values().forEach(v -> o.printf(Locale.ROOT, " %9.2f", v / 1e9));
            o.println();
        }
        o.printf(Locale.ROOT, "host-mapped read        %.1f GB/s (kernel reading mapped pinned host memory in place)%n", r.mappedReadBytesPerSecond() / 1e9);
        Map<Long, String> hgrms = new LinkedHashMap<>();
        Path dir = file.toAbsolutePath().getParent();
        for (var e : r.copyLatencyNanos().entrySet()) {
            String name = "gpu-h2d-" + Units.bytes(e.getKey()).replace(" ", "") + "-latency-us.hgrm";
            Histogram h = e.getValue();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            h.outputPercentileDistribution(new PrintStream(buf), 1000.0);
            AtomicFiles.write(dir.resolve(name), buf.toString());
            hgrms.put(e.getKey(), name);
            o.printf(Locale.ROOT, "H2D pinned %-9s     latency p50 %.1f us, p99 %.1f us, max %.1f us (%d copies) -> %s%n", Units.bytes(e.getKey()),
                    h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, h.getTotalCount(), name);
        }
        AtomicFiles.write(file, yaml(r, hgrms, Instant.now().toString()));
        o.println("wrote " + file + " (use it as reference: {file: " + file.getFileName() + "})");
        return TierlabCli.EXIT_OK;
    }

    /** The reference-system file's text; {@code hgrms}: copy size -> histogram file name beside it. */
    static String yaml(GpuCalibration.Result r, Map<Long, String> hgrms, String when) {
        String name = String.valueOf(r.device().get("name"));
        String preset = name.contains("H200") ? "h200" : name.contains("H100") ? "h100-sxm" : name.contains("B200") ? "b200" : "h200";
        long capacity = ((Number) r.device().get("global_memory_bytes")).longValue();
        String smallest = hgrms.get(GpuCalibration.LATENCY_BYTES[0]);
        StringBuilder y = new StringBuilder();
        y.append("# tierlab calibrate --gpu, ").append(when).append(": the GPU as measured with CUDA events.\n");
        y.append("# Compute peaks and dtypes are the '").append(preset).append("' preset's datasheet figures (not measured).\n");
        y.append("device:\n");
        r.device().forEach((k, v) -> y.append("  ").append(k).append(": ").append(quote(v)).append('\n'));
        y.append("measured:\n");
        y.append(fmt("  d2d_copy_read_plus_write: %s\n", gbs(r.d2dBytesPerSecond())));
        y.append(fmt("  hbm_read_kernel: %s\n", gbs(r.hbmReadBytesPerSecond())));
        y.append(fmt("  host_mapped_read_kernel: %s\n", gbs(r.mappedReadBytesPerSecond())));
        for (GpuCalibration.Transfer t : r.transfers()) {
            y.append("  ").append(t.name()).append(":\n");
            t.bytesPerSecondBySize().forEach((s, v) -> y.append(fmt("    %s: %s\n", s + "B", gbs(v))));
        }
        y.append("  h2d_pinned_latency_histograms_us:\n");
        hgrms.forEach((s, f) -> y.append(fmt("    %s: %s\n", s + "B", f)));
        y.append("reference:\n");
        y.append(fmt("  name: %s\n", quote("measured " + name)));
        y.append(fmt("  preset: %s\n", preset));
        y.append(fmt("  bandwidth: %s   # streaming read kernel over HBM\n", gbs(r.hbmReadBytesPerSecond())));
        y.append(fmt("  write_bandwidth: %s   # half the D2D copy's read+write rate\n", gbs(r.d2dBytesPerSecond() / 2)));
        y.append(fmt("  capacity: %dB\n", capacity));
        y.append("tiers:\n");
        y.append("  gpu-hbm: {preset: hbm}\n");
        y.append(fmt("  pcie-pinned: {class: dram, read_bandwidth: %s, write_bandwidth: %s, granularity: 2MiB, channels: 1,"
                + " read_latency: {dist: empirical, file: %s, unit: us}}   # staged: cudaMemcpyAsync from pinned host memory\n",
                gbs(r.transfer("h2d_pinned").largest()), gbs(r.transfer("d2h_pinned").largest()), smallest));
        y.append(fmt("  host-mapped: {class: dram, read_bandwidth: %s, write_bandwidth: %s, granularity: 4KiB, channels: 1024}"
                + "   # direct: kernels read mapped pinned host memory in place\n",
                gbs(r.mappedReadBytesPerSecond()), gbs(r.transfer("d2h_pinned").largest())));
        return y.toString();
    }

    private static String gbs(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.2fGB/s", bytesPerSecond / 1e9);
    }

    private static String fmt(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }

    private static String quote(Object v) {
        return v instanceof String s ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : String.valueOf(v);
    }
}
