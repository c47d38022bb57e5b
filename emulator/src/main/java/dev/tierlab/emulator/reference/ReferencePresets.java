package dev.tierlab.emulator.reference;

import static dev.tierlab.emulator.reference.ComputeDtype.FP16;
import static dev.tierlab.emulator.reference.ComputeDtype.FP32;
import static dev.tierlab.emulator.reference.ComputeDtype.FP8;
import static dev.tierlab.emulator.reference.ComputeDtype.INT8;
import static dev.tierlab.emulator.reference.ComputeDtype.TF32;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reference systems with cited figures. Peaks are dense (no structured sparsity). GGUF types map to
 * the dtype an inference kernel on that accelerator would use: q8_0 to int8 (w8a8), f32 to tf32,
 * everything else, including the 4/5/6-bit block quants, to fp16 (weight-only quantization that
 * dequantizes into fp16 products).
 */
public final class ReferencePresets {

    private static final double TB = 1e12;
    private static final long GB = 1_000_000_000L;
    private static final Map<String, ReferenceSystem> PRESETS = new LinkedHashMap<>();
    private static final Map<String, ComputeDtype> DTYPES = Map.of("f32", TF32, "f16", FP16, "bf16", FP16, "q8_0", INT8);

    static {
        // NVIDIA H100 SXM5 datasheet: HBM3 3.35 TB/s, 80 GB; dense FP16/BF16 989.4 TFLOP/s, FP8 and INT8
        // 1979 T(FL)OP/s, TF32 494.7 TFLOP/s, FP32 66.9 TFLOP/s.
        put(gpu("h100-sxm", 3.35 * TB, 80 * GB, 66.9, 494.7, 989.4, 1979, 1979, "NVIDIA H100 SXM5 datasheet (2023)"));
        // NVIDIA H200 SXM datasheet: HBM3e 4.8 TB/s, 141 GB; the same Hopper compute as H100 SXM.
        put(gpu("h200", 4.8 * TB, 141 * GB, 66.9, 494.7, 989.4, 1979, 1979, "NVIDIA H200 datasheet (2024)"));
        // NVIDIA HGX B200, per GPU: HBM3e 8 TB/s, 180 GB; dense FP16/BF16 2.25 PFLOP/s, FP8 and INT8
        // 4.5 P(FL)OP/s, TF32 1.1 PFLOP/s, FP32 75 TFLOP/s.
        put(gpu("b200", 8.0 * TB, 180 * GB, 75, 1100, 2250, 4500, 4500, "NVIDIA HGX B200 datasheet (2024), per GPU"));
        // AMD Instinct MI300X datasheet: HBM3 5.3 TB/s, 192 GB; dense FP16/BF16 1307.4 TFLOP/s, FP8 and
        // INT8 2614.9 T(FL)OP/s, TF32 653.7 TFLOP/s, FP32 163.4 TFLOP/s.
        put(gpu("mi300x", 5.3 * TB, 192 * GB, 163.4, 653.7, 1307.4, 2614.9, 2614.9, "AMD Instinct MI300X datasheet (2023)"));
    }

    private ReferencePresets() {
    }

    private static ReferenceSystem gpu(String name, double bandwidth, long capacity, double fp32, double tf32, double fp16,
            double fp8, double int8, String source) {
        return new ReferenceSystem(name, bandwidth, bandwidth, capacity,
                Map.of(FP32, fp32 * TB, TF32, tf32 * TB, FP16, fp16 * TB, FP8, fp8 * TB, INT8, int8 * TB),
                DTYPES, FP16, false, source);
    }

    private static void put(ReferenceSystem r) {
        PRESETS.put(r.name(), r);
    }

    /**
     * The host itself: its measured compute is the reference compute (dilation 1). Its top tier is the
     * host's DRAM at {@code dramBytesPerSecond} (calibrated or measured), which relative tier
     * bandwidths then refer to.
     */
    public static ReferenceSystem host(double dramBytesPerSecond) {
        return new ReferenceSystem("host", dramBytesPerSecond, dramBytesPerSecond, 0, Map.of(), Map.of(), FP32, true,
                "this machine: compute as measured, DRAM as calibrated");
    }

    public static Optional<ReferenceSystem> byName(String name) {
        return Optional.ofNullable(PRESETS.get(name));
    }

    public static Iterable<String> names() {
        return PRESETS.keySet();
    }

    /** The reference a scenario gets when it names none. */
    public static ReferenceSystem defaultReference() {
        return PRESETS.get("h200");
    }
}
