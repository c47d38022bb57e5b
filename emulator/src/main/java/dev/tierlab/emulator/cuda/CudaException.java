package dev.tierlab.emulator.cuda;

/** A CUDA call failed on a device that was found: the call, its error code and CUDA's own words. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }
}
