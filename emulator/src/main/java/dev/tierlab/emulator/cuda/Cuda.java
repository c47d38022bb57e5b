package dev.tierlab.emulator.cuda;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.cuGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The GPU as JavaCPP's CUDA presets see it. {@link #device()} looks, in order, for the driver
 * ({@code libcuda.so.1}), the CUDA 13 runtime ({@code libcudart.so.13}), JavaCPP's bindings and a
 * device, and throws {@link CudaUnavailableException} naming the first that is missing. The two
 * libraries are probed with a plain dlopen before JavaCPP touches them, so a missing one is named
 * instead of surfacing as JavaCPP's chain of UnsatisfiedLinkErrors.
 */
public final class Cuda {

    public static final String DRIVER_LIBRARY = "libcuda.so.1";
    public static final String RUNTIME_LIBRARY = "libcudart.so.13";
    /** The presets (cuda 13.1-9.19-1.5.13) are built against CUDA 13: the driver must support 13.0 or newer. */
    static final int MIN_DRIVER_VERSION = 13000;

    private static Cuda device;
    private static String missing;

    /** Device 0's figures, for reference-system files and reports. */
    private final Map<String, Object> properties;

    private Cuda(Map<String, Object> properties) {
        this.properties = Map.copyOf(properties);
    }

    /** Device 0, made current on this thread; throws {@link CudaUnavailableException} when there is none. */
    public static synchronized Cuda device() {
        if (device == null && missing == null) {
            try {
                device = probe();
            } catch (CudaUnavailableException e) {
                missing = e.getMessage();
            }
        }
        if (missing != null) {
            throw new CudaUnavailableException(missing);
        }
        check(cudaSetDevice(0), "cudaSetDevice(0)");
        return device;
    }

    /** Why no GPU can be used here, or null when one can (for test assumptions). */
    public static synchronized String whyUnavailable() {
        try {
            device();
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    private static Cuda probe() {
        String path = "LD_LIBRARY_PATH=" + System.getenv().getOrDefault("LD_LIBRARY_PATH", "") + " and the ld.so cache";
        if (!loadable(DRIVER_LIBRARY)) {
            throw new CudaUnavailableException("no CUDA driver (%s) found: looked in %s; the GPU paths need an NVIDIA GPU and its driver"
                    .formatted(DRIVER_LIBRARY, path));
        }
        if (!loadable(RUNTIME_LIBRARY)) {
            throw new CudaUnavailableException(("no CUDA 13 runtime (%s) found: looked in %s; install the CUDA 13 runtime or put its"
                    + " lib directory on LD_LIBRARY_PATH").formatted(RUNTIME_LIBRARY, path));
        }
        try {
            Loader.load(cudart.class);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new CudaUnavailableException("JavaCPP's CUDA bindings (jnicudart, linux-x86_64) did not load although %s and %s did: %s"
                    .formatted(DRIVER_LIBRARY, RUNTIME_LIBRARY, why));
        }
        int[] driver = new int[1];
        int[] runtime = new int[1];
        cudaDriverGetVersion(driver);
        cudaRuntimeGetVersion(runtime);
        if (driver[0] == 0) {
            throw new CudaUnavailableException("%s loaded but reports no CUDA version (cudaDriverGetVersion gives 0): it is not a working NVIDIA driver"
                    .formatted(DRIVER_LIBRARY));
        }
        if (driver[0] < MIN_DRIVER_VERSION) {
            throw new CudaUnavailableException("the CUDA driver supports CUDA %s; the runtime %s (CUDA %s) needs a driver for 13.0 or newer"
                    .formatted(version(driver[0]), RUNTIME_LIBRARY, version(runtime[0])));
        }
        int[] count = new int[1];
        int rc = cudaGetDeviceCount(count);
        if (rc != cudaSuccess || count[0] == 0) {
            throw new CudaUnavailableException("the CUDA driver (CUDA %s) found no GPU: cudaGetDeviceCount says %s"
                    .formatted(version(driver[0]), rc != cudaSuccess ? errorString(rc) : "0 devices"));
        }
        cudaDeviceProp p = new cudaDeviceProp();
        check(cudaGetDeviceProperties(p, 0), "cudaGetDeviceProperties(0)");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name().getString());
        m.put("compute_capability", p.major() + "." + p.minor());
        m.put("multiprocessors", p.multiProcessorCount());
        m.put("global_memory_bytes", p.totalGlobalMem());
        m.put("memory_bus_width_bits", p.memoryBusWidth());
        m.put("l2_cache_bytes", p.l2CacheSize());
        m.put("can_map_host_memory", p.canMapHostMemory() != 0);
        m.put("driver_cuda_version", version(driver[0]));
        m.put("runtime_cuda_version", version(runtime[0]));
        m.put("devices", count[0]);
        return new Cuda(m);
    }

    /** Whether the dynamic linker finds {@code library} (a missing one is refused, not thrown). */
    static boolean loadable(String library) {
        try {
            SymbolLookup.libraryLookup(library, Arena.global());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String version(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public String name() {
        return (String) properties.get("name");
    }

    public long globalMemoryBytes() {
        return (Long) properties.get("global_memory_bytes");
    }

    /** Throws {@link CudaException} naming {@code what} unless a runtime call returned cudaSuccess. */
    public static void check(int rc, String what) {
        if (rc != cudaSuccess) {
            throw new CudaException("%s failed: %s (%d)".formatted(what, errorString(rc), rc));
        }
    }

    /** The same for a driver-API call (cu*). */
    public static void checkDriver(int rc, String what) {
        if (rc != CUDA_SUCCESS) {
            PointerPointer<?> s = new PointerPointer<>(1);
            cuGetErrorString(rc, s);
            String text = s.get(0) == null ? "unknown error" : s.getString(0);
            throw new CudaException("%s failed: %s (%d)".formatted(what, text, rc));
        }
    }

    private static String errorString(int rc) {
        return cudaGetErrorString(rc).getString();
    }
}
