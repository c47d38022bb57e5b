package dev.tierlab.cli;

import dev.tierlab.emulator.calibrate.DiskProbe;
import dev.tierlab.emulator.calibrate.InjectorAccuracy;
import dev.tierlab.emulator.calibrate.MemoryBandwidth;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.inference.bench.BenchConfig;
import dev.tierlab.inference.bench.BenchResult;
import dev.tierlab.inference.bench.BenchRunner;
import dev.tierlab.inference.bench.BenchTest;
import dev.tierlab.inference.bench.HookMode;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.reports.stats.SampleStats;
import dev.tierlab.run.AtomicFiles;
import dev.tierlab.scenario.Calibration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure this machine: memory, engine, injector and disk speeds.",
            "DRAM read bandwidth, the engine's weight-streaming bandwidth,",
            "injector accuracy (1 us .. 10 ms), local-disk O_DIRECT bandwidth and 4 KiB read latency."})
final class CalibrateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", description = "Calibration file (default: the tierlab cache's calibration.json).")
    Path out;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "Model for the engine streaming test (default: the embedded one).")
    Path model;

    @Option(names = "--skip", split = ",", paramLabel = "PART", description = "Parts to skip: dram, engine, injector, disk.")
    List<String> skip = new ArrayList<>();

    @Option(names = "--disk-dir", paramLabel = "DIR", description = "Where to probe the disk (default: the tierlab cache).")
    Path diskDir;

    @Option(names = "--injector-seconds", defaultValue = "20", description = "Time budget of the injector test (default: ${DEFAULT-VALUE}).")
    int injectorSeconds;

    @Option(names = "--gpu", description = {"Measure the GPU instead (CUDA events): HBM copy and read bandwidth, H2D/D2H pinned and",
        "pageable over a size sweep, 4 KiB-2 MiB copy latency histograms, mapped host-memory reads; writes a",
        "reference-system file with the tier presets gpu-hbm, pcie-pinned and host-mapped."})
    boolean gpu;

    @Option(names = "--reference-out", paramLabel = "FILE", defaultValue = "gpu-reference.yaml",
            description = "With --gpu: the reference-system file to write (default: ${DEFAULT-VALUE}).")
    Path referenceOut;

    @Option(names = "--gpu-repeats", defaultValue = "9", description = "With --gpu: timed repeats per transfer (default: ${DEFAULT-VALUE}).")
    int gpuRepeats;

    static Path defaultFile() {
        return EmbeddedModels.cacheDir().resolve("calibration.json");
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (gpu) {
            return GpuReference.calibrate(o, referenceOut, gpuRepeats);
        }
        Path file = out != null ? out : defaultFile();
        int cores = Runtime.getRuntime().availableProcessors();

        double dram = Double.NaN;
        if (!skip.contains("dram")) {
            dram = MemoryBandwidth.measureRead(512L << 20, cores, 5);
            o.printf(Locale.ROOT, "DRAM read bandwidth     %.2f GB/s (%d threads, best of 5 passes over 512 MiB)%n", dram / 1e9, cores);
        }

        Double engine = null;
        if (!skip.contains("engine")) {
            Path m = model != null ? model : EmbeddedModels.resolve(EmbeddedModels.DEFAULT_PRESET, EmbeddedModels.DEFAULT_QUANT, err);
            try (LoadedModel loaded = new LlamaCppEngine().load(m)) {
                BenchConfig cfg = new BenchConfig(List.of(new BenchTest(0, 32, 0)), 5, 1, List.of(cores), 2048, 512,
                        GgmlType.F16, List.of(HookMode.NONE.named()), 1);
                BenchResult r = new BenchRunner("llama.cpp", loaded, cfg, BenchRunner.Listener.NONE).run().getFirst();
                double tg = SampleStats.median(r.samples().stream().mapToDouble(s -> s.genTokensPerSecond(r.test())).toArray());
                engine = tg * loaded.sizeBytes();
                o.printf(Locale.ROOT, "engine streaming        %.2f GB/s (llama.cpp decode, %.2f tok/s x %s of weights, %s)%n",
                        engine / 1e9, tg, Units.bytes(loaded.sizeBytes()), m.getFileName());
            }
        }

        List<Map<String, Object>> injector = new ArrayList<>();
        if (!skip.contains("injector")) {
            Injector inj = Injector.calibrated();
            o.printf(Locale.ROOT, "injector                park lateness %.1f us, exit cost %d ns%n", inj.parkLateNanos() / 1e3, inj.exitCostNanos());
            InjectorAccuracy.PlatformGaps gaps = InjectorAccuracy.platformGaps(1_000_000_000L);
            o.printf(Locale.ROOT, "platform floor          a spinning thread loses its CPU >5 us %.0f times/s, >20 us %.0f times/s (max %.1f us):%n"
                    + "                        a wait of T is hit with probability ~T x that rate, which bounds any wait's p99%n",
                    gaps.gapsOver5usPerSecond(), gaps.gapsOver20usPerSecond(), gaps.maxGapNanos() / 1e3);
            o.println("  target      median err   p99 err     max err   samples  target met (median<=1%, p99<=3% or 2us)  P(platform hit)");
            for (InjectorAccuracy.Point p : InjectorAccuracy.measure(inj, InjectorAccuracy.DEFAULT_TARGETS, 400,
                    injectorSeconds * 1_000_000_000L)) {
                // Above 1%, the p99 of a wait this long includes a CPU loss the injector cannot prevent.
                double hit = Math.min(1, p.targetNanos() / 1e9 * gaps.gapsOver5usPerSecond());
                o.printf(Locale.ROOT, "  %-9s %+9.3f%% %+9.3f%% %9.2fus %8d  %-41s %5.2f%%%s%n",
                        dev.tierlab.emulator.units.Units.formatNanos(p.targetNanos()), 100 * p.medianErrorRelative(),
                        100 * p.p99ErrorRelative(), p.maxErrorNanos() / 1e3, p.samples(), p.meetsTarget() ? "yes" : "no",
                        100 * hit, hit > 0.01 && !p.meetsTarget() ? " (p99 bound by the platform)" : "");
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("target_ns", p.targetNanos());
                row.put("median_error_ns", p.medianErrorNanos());
                row.put("p99_error_ns", p.p99ErrorNanos());
                row.put("max_error_ns", p.maxErrorNanos());
                row.put("samples", p.samples());
                row.put("meets_target", p.meetsTarget());
                row.put("platform_hit_probability", hit);
                injector.add(row);
            }
        }

        Map<String, Object> disk = new LinkedHashMap<>();
        if (!skip.contains("disk")) {
            Path dir = diskDir != null ? diskDir : file.toAbsolutePath().getParent();
            try {
                DiskProbe.Result r = DiskProbe.measure(dir, 256L << 20, 2_000_000_000L);
                Histogram h = r.randomRead4kNanos();
                Path hgrm = file.toAbsolutePath().resolveSibling("disk-4k-read-us.hgrm");
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                h.outputPercentileDistribution(new PrintStream(buf), 1000.0);
                AtomicFiles.write(hgrm, buf.toString());
                o.printf(Locale.ROOT, "disk (O_DIRECT, %s)  sequential read %.2f GB/s; 4 KiB read p50 %.1f us, p99 %.1f us (%d reads) -> %s%n",
                        dir, r.sequentialReadBytesPerSecond() / 1e9, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                        h.getTotalCount(), hgrm);
                disk.put("dir", dir.toString());
                disk.put("sequential_read_bytes_per_s", r.sequentialReadBytesPerSecond());
                disk.put("read_4k_p50_ns", h.getValueAtPercentile(50));
                disk.put("read_4k_p99_ns", h.getValueAtPercentile(99));
                disk.put("read_4k_histogram_us", hgrm.toString());
            } catch (IOException | UnsupportedOperationException e) {
                o.printf("disk                    skipped: O_DIRECT reads not possible in %s (%s)%n", dir, e.getMessage());
                disk.put("error", String.valueOf(e.getMessage()));
            }
        }

        double base = engine != null ? engine : dram;
        String source = engine != null ? "engine_stream" : "dram_read";
        Calibration c = new Calibration(Instant.now().toString(), BenchRow.CPU_INFO, cores, dram, engine, base, source, injector, disk);
        if (!Double.isNaN(base)) {
            AtomicFiles.write(file, c.toJson());
            o.printf(Locale.ROOT, "base bandwidth          %.2f GB/s (%s): what relative tier bandwidths multiply%nwrote %s%n",
                    base / 1e9, source, file);
        }
        return TierlabCli.EXIT_OK;
    }
}
