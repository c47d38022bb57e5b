package dev.tierlab.inference.emulation;

import dev.tierlab.emulator.ComputeProfile;
import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.inference.engine.LayerHook;

/**
 * A layer hook that emulates tiers and keeps a ledger: by injecting waits ({@link EmulatedHook},
 * any engine) or by really moving bytes through throttled copies (copy mode, the Java engine).
 */
public interface EmulationHook extends LayerHook {

    /** What was recorded since the last call; the ledger starts afresh. */
    LedgerSummary takeSummary();

    /** The unconstrained compute profile, so every step also gets its modelled duration. */
    void useComputeProfile(ComputeProfile profile);
}
