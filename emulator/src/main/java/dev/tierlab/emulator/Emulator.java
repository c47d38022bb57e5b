package dev.tierlab.emulator;

import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.ledger.Ledger;
import dev.tierlab.emulator.ledger.StepRecord;
import dev.tierlab.emulator.ledger.TierLedger;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.TensorRef;
import dev.tierlab.emulator.sched.TierModel;
import dev.tierlab.emulator.tier.TierSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The emulator an engine calls at layer boundaries ("inject" mode). At each micro-batch it plans
 * what every layer reads and writes on every tier; at each layer start it issues that layer's
 * requests (or, with prefetch depth d, layer l+d's) to the tiers' virtual-time models and holds the
 * engine until the layer's data would have arrived. Native tiers cost nothing and are never watched.
 *
 * <p>Not thread-safe: one engine thread drives it.
 */
public final class Emulator {

    /**
     * @param baseBytesPerSecond the calibrated bandwidth relative ("0.25x") bandwidths refer to
     * @param cache              optional upper-tier weight cache, or null
     */
    public record Config(Map<String, TierSpec> tiers, Placement placement, WeightCache cache, int prefetchDepth,
            long seed, double baseBytesPerSecond) {

        public Config {
            tiers = Map.copyOf(tiers);
            if (prefetchDepth < 0) {
                throw new SpecException("prefetch", "must not be negative");
            }
            for (String t : referencedTiers(placement, cache)) {
                if (!tiers.containsKey(t)) {
                    throw new SpecException("placement", "unknown tier '%s'; declared tiers: %s".formatted(t, String.join(", ", tiers.keySet())));
                }
            }
        }

        private static List<String> referencedTiers(Placement p, WeightCache cache) {
            List<String> names = new ArrayList<>();
            names.add(p.defaultTier());
            p.weights().forEach(w -> names.add(w.tier()));
            p.kv().forEach(k -> names.add(k.tier()));
            if (cache != null) {
                names.add(cache.tier());
            }
            return names;
        }
    }

    private final Config config;
    private final StepPlanner planner;
    private final Injector injector;
    private final Map<String, TierRuntime> tiers = new LinkedHashMap<>();
    private final boolean[] observed;
    private final Ledger ledger = new Ledger();
    private final boolean profiling;
    private final int n;
    private final boolean routes;
    private long[] stepExperts;

    private ComputeProfile profile;
    private List<List<Access>> plan;
    private long[] completion;
    private String[] bottleneck;
    private long stepStart;
    private long stepStall;
    private int stepTokens;
    private int stepPast;
    private final long[] layerStartTimes;
    private final double[] profileSums;
    private int profiledSteps;

    private record TierRuntime(TierSpec spec, TierModel read, TierModel write, TierLedger ledger) {
    }

    /**
     * @param nLayer                  blocks in the model (layer index nLayer is the output head)
     * @param kvBytesPerTokenPerLayer K and V bytes one token adds to one layer's cache
     * @param profiling               watch every layer and record compute segments (use with native tiers)
     */
    public Emulator(Config config, List<TensorRef> tensors, int nLayer, long kvBytesPerTokenPerLayer, Injector injector,
            boolean profiling) {
        this(config, tensors, nLayer, kvBytesPerTokenPerLayer, injector, profiling, 0);
    }

    /**
     * @param nExpert experts per block of a mixture-of-experts model (0: dense). Its routed experts are read
     *                when the engine reports a block's routing ({@link #expertsRouted}): only the experts
     *                some token of the step chose, each the moment its router has run (they cannot be
     *                prefetched), and the engine waits for them there.
     */
    public Emulator(Config config, List<TensorRef> tensors, int nLayer, long kvBytesPerTokenPerLayer, Injector injector,
            boolean profiling, int nExpert) {
        this.config = config;
        this.n = nLayer;
        this.injector = injector;
        this.profiling = profiling;
        this.planner = new StepPlanner(tensors, nLayer, kvBytesPerTokenPerLayer, config.placement(), config.cache(), nExpert);
        this.routes = nExpert > 0;
        for (TierSpec spec : config.tiers().values()) {
            TierLedger tl = ledger.tier(spec.name());
            long seed = config.seed() * 1_000_003L + spec.name().hashCode();
            tiers.put(spec.name(), new TierRuntime(spec,
                    model(spec, false, seed, tl, false), model(spec, true, seed + 1, tl, false), tl));
        }
        observed = new boolean[nLayer + 1];
        for (int i = 0; i <= nLayer; i++) {
            observed[i] = profiling || constrained(i) || (config.prefetchDepth() > 0 && i + config.prefetchDepth() <= nLayer
                    && constrained(i + config.prefetchDepth()));
        }
        layerStartTimes = new long[nLayer + 1];
        profileSums = new double[nLayer + 2];
    }

    private TierModel model(TierSpec spec, boolean write, long seed, TierLedger tl, boolean meanOnly) {
        if (spec.isNative()) {
            return null;
        }
        LatencyDistribution latency = write ? spec.writeLatency() : spec.readLatency();
        if (meanOnly) {
            latency = new LatencyDistribution.Fixed(latency.meanNanos());
        }
        double bw = (write ? spec.writeBandwidth() : spec.readBandwidth()).bytesPerSecond(config.baseBytesPerSecond());
        return new TierModel(bw, spec.granularityBytes(), spec.channels(), latency, seed,
                tl == null ? null : write ? tl.writeLatency() : tl.readLatency());
    }

    private boolean constrained(int index) {
        return planner.tiersOf(index).stream().anyMatch(t -> !config.tiers().get(t).isNative());
    }

    /** Whether the engine must call {@link #layerStart} exactly when layer index {@code i} starts. */
    public boolean observes(int i) {
        return i >= 0 && i <= n && observed[i];
    }

    /** Gives the unconstrained compute profile, so each step also records its modelled duration. */
    public void useComputeProfile(ComputeProfile p) {
        if (p.layerCount() != n + 1) {
            throw new IllegalArgumentException("profile has %d layers, model %d".formatted(p.layerCount(), n + 1));
        }
        this.profile = p;
    }

    public void microBatchStart(int nTokens, int nPast) {
        stepStart = System.nanoTime();
        stepTokens = nTokens;
        stepPast = nPast;
        stepStall = 0;
        stepExperts = routes ? new long[n] : null;
        plan = planner.plan(nTokens, nPast, config.cache());
        completion = new long[n + 1];
        bottleneck = new String[n + 1];
        for (int i = 0; i < Math.min(config.prefetchDepth(), n + 1); i++) {
            issue(i, stepStart);
        }
    }

    public void layerStart(int i) {
        if (plan == null) {
            return;
        }
        long now = System.nanoTime();
        int d = config.prefetchDepth();
        if (i + d <= n) {
            issue(i + d, now);
        }
        waitFor(completion[i], bottleneck[i], now);
        layerStartTimes[i] = System.nanoTime();
    }

    private void waitFor(long deadline, String tier, long now) {
        if (deadline > now) {
            injector.waitUntil(deadline);
            long stalled = System.nanoTime() - now;
            stepStall += stalled;
            tiers.get(tier).ledger().addStall(stalled);
        }
    }

    /** Whether {@link #expertsRouted} must be called (a mixture-of-experts model). */
    public boolean observesRouting() {
        return routes;
    }

    /**
     * Block {@code layer}'s router chose, for each of {@code nTokens} tokens, the experts
     * {@code experts[t * k .. t * k + k)}: their slabs are read and the engine waits until they are in.
     * As in the reference timeline, the reads are issued when the block started (the router's own
     * compute is not charged against them), so the analytical model and the emulation agree.
     */
    public void expertsRouted(int layer, int nTokens, int k, int[] experts) {
        if (plan == null || !routes || layer < 0 || layer >= n) {
            return;
        }
        long mask = dev.tierlab.emulator.timeline.RoutingTrace.maskOf(experts, nTokens * k);
        mask &= ~stepExperts[layer]; // a block routes once per micro-batch; never charge an expert twice
        stepExperts[layer] |= mask;
        long now = System.nanoTime();
        Issued r = issue(planner.expertAccesses(layer, mask, config.cache()), Math.min(now, Math.max(layerStartTimes[layer], stepStart)));
        if (r.tier() != null) {
            waitFor(r.done(), r.tier(), now);
        }
    }

    public void microBatchEnd() {
        if (plan == null) {
            return;
        }
        long end = System.nanoTime();
        // The modelled duration is filled in when the ledger is read: computing it here would delay the engine.
        ledger.addStep(new StepRecord(stepTokens, stepPast, end - stepStart, stepStall, Double.NaN, stepExperts));
        if (profiling && stepTokens == 1) {
            long prev = stepStart;
            for (int i = 0; i <= n; i++) {
                profileSums[i] += layerStartTimes[i] - prev;
                prev = layerStartTimes[i];
            }
            profileSums[n + 1] += end - prev;
            profiledSteps++;
        }
        plan = null;
    }

    private void issue(int index, long at) {
        Issued r = issue(plan.get(index), at);
        completion[index] = r.done();
        bottleneck[index] = r.tier();
    }

    /** When accesses issued together are all done, and the tier that finishes last (null: all on native tiers). */
    private record Issued(long done, String tier) {
    }

    /** Issues {@code accesses} at {@code at} on their tiers' models and ledgers; native tiers take no time. */
    private Issued issue(List<Access> accesses, long at) {
        long latest = at;
        String worst = null;
        for (Access a : accesses) {
            TierRuntime t = tiers.get(a.tier());
            TierModel m = a.write() ? t.write() : t.read();
            if (m == null) {
                continue;
            }
            long before = m.requests();
            long done = m.transfer(at, a.bytes());
            if (a.write()) {
                t.ledger().addWrite(a.bytes(), m.requests() - before);
            } else {
                t.ledger().addRead(a.bytes(), m.requests() - before);
            }
            if (done > latest || worst == null) {
                latest = Math.max(latest, done);
                worst = a.tier();
            }
        }
        return new Issued(latest, worst);
    }

    /**
     * The step time the analytical model expects: the profile's compute segments, each layer starting
     * when both its predecessor's compute and its own data (mean latencies, fresh tiers) are done.
     */
    public double modelStep(int nTokens, int nPast) {
        return modelStep(nTokens, nPast, null);
    }

    /** As {@link #modelStep(int, int)}, with each block's routed experts read once its compute starts. */
    public double modelStep(int nTokens, int nPast, long[] experts) {
        if (profile == null) {
            return Double.NaN;
        }
        WeightCache cacheCopy = config.cache() == null ? null : config.cache().copy();
        List<List<Access>> p = planner.plan(nTokens, nPast, cacheCopy);
        Map<String, TierModel[]> models = new LinkedHashMap<>();
        for (TierSpec spec : config.tiers().values()) {
            models.put(spec.name(), new TierModel[] {model(spec, false, 0, null, true), model(spec, true, 0, null, true)});
        }
        double[] ready = new double[n + 1];
        double t = profile.beforeFirstLayer();
        int d = config.prefetchDepth();
        for (int i = 0; i < Math.min(d, n + 1); i++) {
            ready[i] = simulate(p.get(i), 0, models);
        }
        for (int i = 0; i <= n; i++) {
            if (i + d <= n) {
                ready[i + d] = simulate(p.get(i + d), (long) t, models);
            }
            t = Math.max(t, ready[i]);
            if (experts != null && i < n && planner.routes(i)) {
                t = Math.max(t, simulate(planner.expertAccesses(i, experts[i], cacheCopy), (long) t, models));
            }
            t += profile.layer(i);
        }
        return t;
    }

    private static double simulate(List<Access> accesses, long at, Map<String, TierModel[]> models) {
        long latest = at;
        for (Access a : accesses) {
            TierModel m = models.get(a.tier())[a.write() ? 1 : 0];
            if (m != null) {
                latest = Math.max(latest, m.transfer(at, a.bytes()));
            }
        }
        return latest;
    }

    /** Forgets the decode steps profiled so far (e.g. a first, cold run). */
    public void resetProfile() {
        java.util.Arrays.fill(profileSums, 0);
        profiledSteps = 0;
    }

    /** The mean compute segments of the decode steps seen so far (profiling mode). */
    public ComputeProfile computeProfile() {
        if (!profiling || profiledSteps == 0) {
            throw new IllegalStateException("no decode steps were profiled");
        }
        double[] mean = new double[profileSums.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = profileSums[i] / profiledSteps;
        }
        return new ComputeProfile(mean);
    }

    /** The ledger, with the modelled duration of each step filled in when a profile was given. */
    public Ledger ledger() {
        if (profile != null) {
            ledger.completeModel(r -> modelStep(r.nTokens(), r.nPast(), r.experts()));
        }
        return ledger;
    }

    public Config config() {
        return config;
    }
}
