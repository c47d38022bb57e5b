package dev.tierlab.emulator.ledger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-tier totals and per-step records of an emulated run. */
public final class Ledger {
    private final Map<String, TierLedger> tiers = new LinkedHashMap<>();
    private final List<StepRecord> steps = new ArrayList<>();

    public TierLedger tier(String name) {
        return tiers.computeIfAbsent(name, TierLedger::new);
    }

    public Collection<TierLedger> tiers() {
        return tiers.values();
    }

    public void addStep(StepRecord r) {
        steps.add(r);
    }

    public List<StepRecord> steps() {
        return steps;
    }

    public void reset() {
        tiers.values().forEach(TierLedger::reset);
        steps.clear();
    }
}
