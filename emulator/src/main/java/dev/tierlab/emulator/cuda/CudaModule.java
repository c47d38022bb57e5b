package dev.tierlab.emulator.cuda;

import static org.bytedeco.cuda.global.cudart.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
import static org.bytedeco.cuda.global.cudart.cuFuncSetAttribute;
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
    private static final int MAX_ARGS = 16;
    /** One 8-byte slot per kernel argument, and the pointers to them that cuLaunchKernel reads. */
    private final BytePointer argValues = new BytePointer(8L * MAX_ARGS);
    private final PointerPointer<Pointer> argPointers = new PointerPointer<>(MAX_ARGS);

    /** Loads {@code resource} (e.g. "/dev/tierlab/emulator/cuda/calibrate.ptx") from {@code owner}'s class path. */
    public CudaModule(Class<?> owner, String resource) {
        Cuda.device();
        this.resource = resource;
        byte[] ptx = ptx(owner, resource);
        BytePointer image = new BytePointer(ptx.length + 1L);
        image.put(ptx).put(ptx.length, (byte) 0);
        Cuda.checkDriver(cuModuleLoadData(module, image), "cuModuleLoadData(" + resource + ")");
        image.close();
        for (int i = 0; i < MAX_ARGS; i++) {
            argPointers.put(i, new Address(argValues.address() + 8L * i));
        }
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

    /**
     * Launches {@code name} on {@code stream} (null: the default stream) with a 2-D grid. The argument
     * values go into one native block allocated once (cuLaunchKernel copies them at launch), so a
     * launch allocates nothing; a module is therefore used by one thread at a time.
     */
    public void launch(String name, int gridX, int gridY, int block, int sharedBytes, CUstream_st stream, Object... args) {
        if (args.length > MAX_ARGS) {
            throw new IllegalArgumentException("%s: %d arguments, at most %d".formatted(name, args.length, MAX_ARGS));
        }
        for (int i = 0; i < args.length; i++) {
            long at = 8L * i;
            switch (args[i]) {
                case null -> argValues.putLong(at, 0L);
                case Pointer p -> argValues.putLong(at, Address.of(p));
                case Integer v -> argValues.putInt(at, v);
                case Long v -> argValues.putLong(at, v);
                case Float v -> argValues.putFloat(at, v);
                default -> throw new IllegalArgumentException("kernel argument %d of %s: unsupported type %s".formatted(i, name, args[i].getClass()));
            }
        }
        Cuda.checkDriver(cuLaunchKernel(function(name), gridX, gridY, 1, block, 1, 1, sharedBytes, stream, argPointers, null),
                "cuLaunchKernel(" + name + ")");
    }

    /** Allows {@code name} up to {@code bytes} of dynamic shared memory (above the default 48 KiB). */
    public void allowSharedBytes(String name, int bytes) {
        Cuda.checkDriver(cuFuncSetAttribute(function(name), CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                "cuFuncSetAttribute(" + name + ", max dynamic shared memory " + bytes + ")");
    }

    @Override
    public void close() {
        cuModuleUnload(module);
        argPointers.close();
        argValues.close();
    }
}
