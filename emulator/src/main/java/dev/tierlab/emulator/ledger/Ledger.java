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

    /** Fills in the modelled duration of every step that has none yet (computed off the hot path). */
    public void completeModel(java.util.function.ToDoubleFunction<StepRecord> model) {
        for (int i = 0; i < steps.size(); i++) {
            StepRecord r = steps.get(i);
            if (Double.isNaN(r.modelledNanos())) {
                double m = model.applyAsDouble(r);
                if (!Double.isNaN(m)) {
                    steps.set(i, r.withModelled(m));
                }
            }
        }
    }

    public void reset() {
        tiers.values().forEach(TierLedger::reset);
        steps.clear();
    }
}
