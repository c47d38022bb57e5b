package dev.tierlab.emulator.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * A raw address (device memory, mapped or pinned host memory, a slot of a native block) as the
 * {@link Pointer} JavaCPP's CUDA calls take: no deallocator, position 0, so that the address JavaCPP
 * passes is exactly {@code address}.
 */
public final class Address extends Pointer {
    public Address(long address) {
        this.address = address;
    }

    /** The address of {@code p}'s current position, in bytes (JavaCPP keeps position in elements). */
    public static long of(Pointer p) {
        return p.address() + p.position() * p.sizeof();
    }
}
