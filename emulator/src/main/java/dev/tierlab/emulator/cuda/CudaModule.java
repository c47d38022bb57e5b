package dev.tierlab.emulator.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * PTX compiled from the repository's .cu sources (scripts/build-kernels), loaded from the class
 * path with cuModuleLoadData: the driver JIT-compiles it for the device, so no NVRTC is needed at
 * run time. Kernel arguments are {@link Pointer}s (device addresses), {@link Integer}s,
 * {@link Long}s or {@link Float}s, in the order of the kernel's C signature.
 */
public final class CudaModule implements AutoCloseable {

    private final CUmod_st module = new CUmod_st();
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private final String resource;

    /** Loads {@code resource} (e.g. "/dev/tierlab/emulator/cuda/calibrate.ptx") from {@code owner}'s class path. */
    public CudaModule(Class<?> owner, String resource) {
        Cuda.device();
        this.resource = resource;
        byte[] ptx = ptx(owner, resource);
        BytePointer image = new BytePointer(ptx.length + 1L);
        image.put(ptx).put(ptx.length, (byte) 0);
        Cuda.checkDriver(cuModuleLoadData(module, image), "cuModuleLoadData(" + resource + ")");
        image.close();
    }

    /** The PTX text of {@code resource}, NUL-free; throws when the jar lacks it. */
    public static byte[] ptx(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("kernel PTX " + resource + " is not on the class path; run scripts/build-kernels and rebuild");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CUfunc_st function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunc_st f = new CUfunc_st();
            Cuda.checkDriver(cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + resource + ", " + n + ")");
            return f;
        });
    }

    /** Launches {@code name} on {@code stream} (null: the default stream) with a 2-D grid. */
    public void launch(String name, int gridX, int gridY, int block, int sharedBytes, CUstream_st stream, Object... args) {
        Pointer[] holders = new Pointer[args.length];
        PointerPointer<Pointer> params = new PointerPointer<>(args.length);
        for (int i = 0; i < args.length; i++) {
            holders[i] = switch (args[i]) {
                case null -> new LongPointer(1).put(0L);
                case Pointer p -> new LongPointer(1).put(p.address());
                case Integer v -> new IntPointer(1).put(v);
                case Long v -> new LongPointer(1).put(v);
                case Float v -> new FloatPointer(1).put(v);
                default -> throw new IllegalArgumentException("kernel argument %d of %s: unsupported type %s".formatted(i, name, args[i].getClass()));
            };
            params.put(i, holders[i]);
        }
        Cuda.checkDriver(cuLaunchKernel(function(name), gridX, gridY, 1, block, 1, 1, sharedBytes, stream, params, null),
                "cuLaunchKernel(" + name + ")");
        params.close();
        for (Pointer p : holders) {
            p.close();
        }
    }

    @Override
    public void close() {
        cuModuleUnload(module);
    }
}
