package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.cuda.Cuda;
import dev.tierlab.emulator.cuda.GpuCalibration;
import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.emulator.timeline.TimelineConfig;
import dev.tierlab.scenario.EmulationSpecs;
import dev.tierlab.scenario.LocatedYaml;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU paths of the CLI without a GPU (issue 18): calibrate --gpu and the cuda engines exit 2
 * with one line saying what was looked for and what is missing; and the reference-system file that
 * calibrate --gpu writes, read back through {@code reference: {file: ...}} and tier {@code file:}s.
 */
class GpuPathsTest {

    @TempDir
    Path dir;
    @TempDir
    static Path models;
    static Path tiny;

    @org.junit.jupiter.api.BeforeAll
    static void synthesizeTiny() {
        tiny = models.resolve("tiny.gguf");
        assertEquals(0, CliTest.run("model", "synth", "--preset", "tiny", "-o", tiny.toString()).exit());
    }

    private static String noGpu() {
        String why = Cuda.whyUnavailable();
        assumeTrue(why != null, "this machine has a usable GPU; the no-GPU messages cannot be checked here");
        return why;
    }

    @Test
    void calibrateGpuWithoutAGpuExitsTwoWithOneLine() {
        String why = noGpu();
        String line = OneLineErrors.assertOneLine("libcuda.so.1", new String[] {"calibrate", "--gpu", "--reference-out", dir.resolve("r.yaml").toString()},
                "no CUDA driver", "LD_LIBRARY_PATH");
        assertEquals("tierlab: " + why, line);
        assertTrue(Files.notExists(dir.resolve("r.yaml")), "nothing written");
    }

    @Test
    void benchWithTheCudaEngineWithoutAGpuExitsTwoWithOneLine() {
        noGpu();
        OneLineErrors.assertOneLine("libcuda.so.1", new String[] {"bench", "-e", "cuda:host-mapped", "-m", tiny.toString(), "-p", "8", "-n", "4", "-r", "1"},
                "no CUDA driver");
    }

    @Test
    void aBadCudaEngineNameIsBadInput() {
        OneLineErrors.assertOneLine("nvme", new String[] {"bench", "-e", "cuda:nvme", "-m", tiny.toString(), "-p", "8", "-n", "4", "-r", "1"},
                "use hbm, host-mapped or pcie-pinned");
    }

    /** A calibration as a GPU would give it, with made-up but distinct figures. */
    static GpuCalibration.Result fakeResult() {
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("name", "NVIDIA H200");
        device.put("compute_capability", "9.0");
        device.put("multiprocessors", 132);
        device.put("global_memory_bytes", 150_000_000_000L);
        List<GpuCalibration.Transfer> transfers = new java.util.ArrayList<>();
        double rate = 10e9;
        for (String n : List.of("h2d_pinned", "d2h_pinned", "h2d_pageable", "d2h_pageable")) {
            Map<Long, Double> by = new LinkedHashMap<>();
            for (long s : GpuCalibration.SWEEP_BYTES) {
                by.put(s, rate + s / 1e3);
            }
            transfers.add(new GpuCalibration.Transfer(n, by));
            rate += 1e9;
        }
        Map<Long, Histogram> lat = new LinkedHashMap<>();
        for (long s : GpuCalibration.LATENCY_BYTES) {
            Histogram h = new Histogram(1, 10_000_000_000L, 3);
            for (int i = 1; i <= 100; i++) {
                h.recordValue(5_000 + 10L * i + s / 1000);
            }
            lat.put(s, h);
        }
        return new GpuCalibration.Result(device, 8.0e12, 4.2e12, 21.5e9, transfers, lat);
    }

    @Test
    void aWrittenReferenceFileServesAsReferenceAndTierPresets() throws Exception {
        GpuCalibration.Result r = fakeResult();
        Path refDir = Files.createDirectories(dir.resolve("ref"));
        Map<Long, String> hgrms = new LinkedHashMap<>();
        for (var e : r.copyLatencyNanos().entrySet()) {
            String name = "lat-" + e.getKey() + ".hgrm";
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            e.getValue().outputPercentileDistribution(new PrintStream(buf), 1000.0);
            Files.writeString(refDir.resolve(name), buf.toString());
            hgrms.put(e.getKey(), name);
        }
        Files.writeString(refDir.resolve("gpu.yaml"), GpuReference.yaml(r, hgrms, "2026-01-01T00:00:00Z"));
        Path scenario = dir.resolve("s.yaml");
        Files.writeString(scenario, """
                reference: {file: ref/gpu.yaml}
                tiers:
                  pcie: {file: ref/gpu.yaml, preset: pcie-pinned}
                  mapped: {file: ref/gpu.yaml, preset: host-mapped, channels: 64}
                placement:
                  default: hbm
                  weights: [{tier: pcie, match: "blk.*"}]
                """);
        TimelineConfig tc = EmulationSpecs.timeline(LocatedYaml.read(scenario).root(), dir, 1e9);
        assertEquals(4.2e12, tc.reference().topReadBytesPerSecond(), 1e7, "reference bandwidth: the HBM read kernel");
        assertEquals(4.0e12, tc.reference().topWriteBytesPerSecond(), 1e7, "write: half the D2D read+write rate");
        assertEquals(150_000_000_000L, tc.reference().topCapacityBytes());
        assertEquals(989.4e12, tc.reference().peakFlopsPerSecond().get(dev.tierlab.emulator.reference.ComputeDtype.FP16), 1e9,
                "compute peaks: the h200 preset's");
        TierSpec pcie = tc.tiers().get("pcie");
        long largest = GpuCalibration.SWEEP_BYTES[GpuCalibration.SWEEP_BYTES.length - 1];
        assertEquals(r.transfer("h2d_pinned").bytesPerSecondBySize().get(largest), pcie.readBandwidth().bytesPerSecond(0), 1e7);
        assertEquals(r.transfer("d2h_pinned").bytesPerSecondBySize().get(largest), pcie.writeBandwidth().bytesPerSecond(0), 1e7);
        LatencyDistribution.Empirical lat = assertInstanceOf(LatencyDistribution.Empirical.class, pcie.readLatency(), "the 4 KiB copy histogram");
        assertEquals(r.copyLatencyNanos().get(4096L).getMean(), lat.meanNanos(), 50);
        TierSpec mapped = tc.tiers().get("mapped");
        assertEquals(21.5e9, mapped.readBandwidth().bytesPerSecond(0), 1e7);
        assertEquals(64, mapped.channels(), "a key beside file overrides the file's");

        Files.writeString(scenario, "reference: {file: ref/none.yaml}\n");
        SpecException missing = assertThrows(SpecException.class, () -> EmulationSpecs.timeline(LocatedYaml.read(scenario).root(), dir, 1e9));
        assertTrue(missing.getMessage().startsWith("reference.file: ") && missing.getMessage().contains("none.yaml: no such file"), missing.getMessage());
        Files.writeString(scenario, "tiers:\n  x: {file: ref/gpu.yaml, preset: nvlink}\n");
        SpecException preset = assertThrows(SpecException.class, () -> EmulationSpecs.timeline(LocatedYaml.read(scenario).root(), dir, 1e9));
        assertTrue(preset.getMessage().contains("tiers.x.preset") && preset.getMessage().contains("gpu-hbm, pcie-pinned, host-mapped"), preset.getMessage());
    }
}
