package dev.tierlab.emulator.cuda;

/**
 * No usable GPU: the CUDA driver, the CUDA runtime, JavaCPP's bindings or a device is missing. The
 * message is one line that says what was looked for and what was missing; the CLI prints it and
 * exits 2.
 */
public final class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String message) {
        super(message);
    }
}
