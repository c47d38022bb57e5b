package dev.tierlab.emulator;

/** Bytes a micro-batch moves on one tier at one layer: a weight or KV read, or a KV write. */
public record Access(String tier, long bytes, boolean write) {
}
