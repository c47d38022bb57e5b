package dev.tierlab.inference.java;

import dev.tierlab.emulator.ComputeProfile;
import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.inject.Injector;
import dev.tierlab.emulator.ledger.Ledger;
import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.emulator.ledger.StepRecord;
import dev.tierlab.emulator.ledger.TierLedger;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.TensorRef;
import dev.tierlab.emulator.sched.TierModel;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.inference.emulation.EmulatedHook;
import dev.tierlab.inference.emulation.EmulationHook;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.model.TensorClass;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * "copy" mode: every tier is an arena of its own (DRAM standing for that tier), and a layer's
 * weights placed below the top tier are really copied, through a throttled copy engine, into one of
 * two upper-tier staging buffers before the layer computes; while layer l computes, layer l+1 is
 * being copied into the other buffer. The throttle is the tier model of inject mode (bandwidth pipe,
 * channels, sampled latencies): a copy is done when both its bytes have moved and its modelled
 * completion time has passed. KV positions placed on a lower tier are read back the same way: with
 * the layer's weights, their K and V bytes are copied from the cache (standing for that tier) into a
 * staged copy, which attention then reads. Copy mode cannot emulate a tier faster than this machine
 * copies memory; KV writes go to the cache unthrottled.
 */
public final class CopyMode implements EmulationHook, WeightStager {

    /** A tensor that lives on a lower tier: its copy in that tier's arena, and where it goes in staging. */
    private record Staged(int matrix, String tier, MemorySegment source, long stagingOffset) {
    }

    /** One routed expert's matrix (0 gate, 1 up, 2 down) on a lower tier: its copy in that tier's arena. */
    private record StagedExpert(int matrix, String tier, MemorySegment source) {
    }

    private final JavaModel model;
    private final Emulator planner;
    private final Injector injector;
    private final Arena arena = Arena.ofShared();
    private final List<List<Staged>> staged = new ArrayList<>();
    /** Per layer and expert, its matrices on lower tiers (null: a dense layer, or no expert below the top tier). */
    private final List<List<StagedExpert>[]> stagedExperts = new ArrayList<>();
    /** Where a layer's routed experts are staged once its router has chosen them; one layer at a time. */
    private MemorySegment expertStaging;
    private final MemorySegment[] staging = new MemorySegment[2];
    private final Map<String, TierModel> tiers = new LinkedHashMap<>();
    private final Ledger ledger = new Ledger();
    private final ExecutorService copier = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("tierlab-copy").unstarted(r));
    private final Future<?>[] inFlight;
    private final Emulator.Config config;
    private MemorySegment[] kCache;
    private MemorySegment[] vCache;
    private MemorySegment[] kStaged;
    private MemorySegment[] vStaged;
    private int kvDim;
    private final List<List<KvSpan>> kvSpans = new ArrayList<>();
    private final int[] bufferOf;
    private long stepStart;
    private long stepStall;
    private int stepTokens;
    private int stepPast;

    private CopyMode(JavaModel model, Emulator.Config config, Injector injector) {
        this.model = model;
        this.injector = injector;
        this.config = config;
        List<TensorRef> refs = EmulatedHook.tensorRefs(model.info());
        // Double buffering is prefetch depth 1: the model of the step time is inject mode's with d = 1.
        Emulator.Config modelled = new Emulator.Config(config.tiers(), config.placement(), null, 1, config.seed(),
                config.baseBytesPerSecond());
        this.planner = new Emulator(modelled, refs, model.nLayer, model.info().kvBytesPerTokenPerLayer(GgmlType.F16), injector, false);
        for (TierSpec spec : config.tiers().values()) {
            if (!spec.isNative()) {
                TierLedger tl = ledger.tier(spec.name());
                tiers.put(spec.name(), new TierModel(spec.readBandwidth().bytesPerSecond(config.baseBytesPerSecond()),
                        spec.granularityBytes(), spec.channels(), spec.readLatency(), config.seed() * 1_000_003L + spec.name().hashCode(),
                        tl.readLatency()));
            }
        }
        long largest = 0;
        for (int l = 0; l < model.nLayer; l++) {
            List<Staged> layer = new ArrayList<>();
            long offset = 0;
            List<Weight> mats = model.layers.get(l).matrices();
            for (int i = 0; i < mats.size(); i++) {
                Weight w = mats.get(i);
                String tier = lowerTier(config, w, l);
                if (tier != null) {
                    MemorySegment copy = arena.allocate(w.bytes(), 64);
                    copy.copyFrom(w.data().asSlice(0, w.bytes()));
                    layer.add(new Staged(i, tier, copy, offset));
                    offset += stagingBytes(w.bytes());
                }
            }
            staged.add(layer);
            largest = Math.max(largest, offset);
            JavaModel.Experts ex = model.layers.get(l).experts();
            stagedExperts.add(ex == null ? null : expertCopies(config, ex, l));
        }
        long expertsLargest = 0;
        for (List<StagedExpert>[] layer : stagedExperts) {
            long bytes = 0;
            for (List<StagedExpert> expert : layer == null ? List.<List<StagedExpert>>of() : List.of(layer)) {
                for (StagedExpert x : expert) {
                    bytes += stagingBytes(x.source().byteSize());
                }
            }
            expertsLargest = Math.max(expertsLargest, bytes);
        }
        expertStaging = expertsLargest == 0 ? null : arena.allocate(expertsLargest, 64);
        staging[0] = arena.allocate(Math.max(64, largest), 64);
        staging[1] = arena.allocate(Math.max(64, largest), 64);
        inFlight = new Future<?>[model.nLayer];
        bufferOf = new int[model.nLayer];
    }

    /** Bytes a staged matrix takes in a staging buffer: its own, room for the q4_0 kernel's overreach, 64-byte aligned. */
    private static long stagingBytes(long bytes) {
        return (bytes + Weight.SLACK + 63) / 64 * 64;
    }

    /** The tier a matrix lives on when that is not a native one; null when it stays in place. */
    private static String lowerTier(Emulator.Config config, Weight w, int layer) {
        TensorRef ref = new TensorRef(w.name(), layer, TensorClass.of(w.name()).label(), w.bytes(), 0);
        return lowerTier(config, config.placement().parts(ref));
    }

    private static String lowerTier(Emulator.Config config, List<Placement.Part> parts) {
        String lower = null;
        long most = 0;
        for (Placement.Part part : parts) {
            if (!config.tiers().get(part.tier()).isNative() && part.bytes() > most) {
                lower = part.tier();
                most = part.bytes();
            }
        }
        return lower;
    }

    /**
     * Copies of a block's routed experts that live on lower tiers, each placed by the rules for its own
     * slab (an {@code experts: 0-7} rule takes only those experts). {@code experts: hot N} needs a
     * profiling pass copy mode does not run, so it is refused.
     */
    @SuppressWarnings("unchecked")
    private List<StagedExpert>[] expertCopies(Emulator.Config config, JavaModel.Experts ex, int layer) {
        List<StagedExpert>[] out = new List[ex.count()];
        boolean any = false;
        for (int e = 0; e < ex.count(); e++) {
            out[e] = new ArrayList<>();
            Weight[][] mats = {ex.gate(), ex.up(), ex.down()};
            for (int kind = 0; kind < 3; kind++) {
                Weight w = mats[kind][e];
                TensorRef ref = new TensorRef(w.name(), layer, TensorClass.of(w.name()).label(), w.bytes() * ex.count(), 0);
                String tier = lowerTier(config, config.placement().parts(ref, e, e));
                if (tier != null) {
                    MemorySegment copy = arena.allocate(w.bytes(), 64);
                    copy.copyFrom(w.data().asSlice(0, w.bytes()));
                    out[e].add(new StagedExpert(kind, tier, copy));
                    any = true;
                }
            }
        }
        return any ? out : null;
    }

    /** Copy mode for a model loaded by the Java engine. */
    public static CopyMode create(Emulator.Config config, LoadedModel model, Injector injector) {
        if (!(model instanceof JavaModel jm)) {
            throw new IllegalArgumentException("mode copy moves the engine's own weight bytes: it needs engine java");
        }
        if (config.placement().weights().stream().anyMatch(r -> r.experts() != null && r.experts().hot() > 0)) {
            throw new IllegalArgumentException("mode copy places routed experts by index only (experts: 0-7);"
                    + " 'experts: hot N' needs the profiling pass of mode trace or inject");
        }
        return new CopyMode(jm, config, injector);
    }

    @Override
    public void attachKv(MemorySegment[] k, MemorySegment[] v, int kvDim) {
        this.kCache = k;
        this.vCache = v;
        this.kvDim = kvDim;
        kStaged = new MemorySegment[k.length];
        vStaged = new MemorySegment[k.length];
        for (int l = 0; l < k.length; l++) {
            kvSpans.add(List.of());
            if (config.placement().kvTiers(l).stream().anyMatch(t -> !config.tiers().get(t).isNative())) {
                kStaged[l] = arena.allocate(k[l].byteSize(), 64);
                vStaged[l] = arena.allocate(v[l].byteSize(), 64);
            }
        }
    }

    @Override
    public List<KvSpan> stagedKv(int l) {
        return kvSpans.isEmpty() ? List.of() : kvSpans.get(l);
    }

    @Override
    public MemorySegment stagedK(int l) {
        return kStaged[l];
    }

    @Override
    public MemorySegment stagedV(int l) {
        return vStaged[l];
    }

    // LayerHook: step records only; the waits happen where the weights are handed over.

    @Override
    public boolean observes(int layer) {
        return false;
    }

    @Override
    public void layerStart(int layer) {
    }

    @Override
    public void microBatchStart(int nTokens, int nPast) {
        stepStart = System.nanoTime();
        stepStall = 0;
        stepTokens = nTokens;
        stepPast = nPast;
        java.util.Arrays.fill(inFlight, null);
        for (int l = 0; l < kvSpans.size(); l++) {
            List<KvSpan> spans = new ArrayList<>();
            if (kStaged[l] != null) {
                // positions already in the cache that the placement puts on a lower tier
                for (var span : config.placement().kvSpans(l, nPast + nTokens)) {
                    int to = Math.min(span.to(), nPast);
                    if (!config.tiers().get(span.tier()).isNative() && to > span.from()) {
                        spans.add(new KvSpan(span.from(), to));
                    }
                }
            }
            kvSpans.set(l, spans);
        }
    }

    @Override
    public void microBatchEnd() {
        ledger.addStep(new StepRecord(stepTokens, stepPast, System.nanoTime() - stepStart, stepStall, Double.NaN));
    }

    // WeightStager: layer l is handed over once its copy is done; layer l+1's copy starts now.

    @Override
    public JavaModel.Layer layer(int l) {
        JavaModel.Layer original = model.layers.get(l);
        if (staged.get(l).isEmpty() && stagedKv(l).isEmpty()) {
            return original;
        }
        request(l);
        if (l + 1 < model.nLayer) {
            request(l + 1);
        }
        long t0 = System.nanoTime();
        try {
            inFlight[l].get();
        } catch (Exception e) {
            throw new IllegalStateException("copy of layer " + l + " failed", e);
        }
        long stalled = System.nanoTime() - t0;
        stepStall += stalled;
        synchronized (ledger) {
            ledger.tier(staged.get(l).isEmpty() ? kvTier(l) : staged.get(l).getFirst().tier()).addStall(stalled);
        }
        if (staged.get(l).isEmpty()) {
            return original;
        }
        List<Weight> mats = new ArrayList<>(original.matrices());
        MemorySegment buf = staging[bufferOf[l]];
        for (Staged s : staged.get(l)) {
            Weight w = mats.get(s.matrix());
            mats.set(s.matrix(), w.over(buf.asSlice(s.stagingOffset(), w.bytes() + Weight.SLACK)));
        }
        return original.with(mats);
    }

    /**
     * Moves {@code bytes} through a tier's model, issued at {@code issued}, and charges them to its
     * ledger; returns the modelled completion time. The copy thread and the compute thread (routed
     * experts) both call it, so the tier models and the ledger are used under one lock.
     */
    private long charge(String tier, long issued, long bytes) {
        synchronized (ledger) {
            TierModel model = tiers.get(tier);
            long before = model.requests();
            long done = model.transfer(issued, bytes);
            ledger.tier(tier).addRead(bytes, model.requests() - before);
            return done;
        }
    }

    /**
     * Stages the chosen experts of layer l on this thread, right after the router chose them: nothing
     * could copy them earlier. Their copy and the wait for its modelled completion are stall.
     */
    @Override
    public JavaModel.Experts experts(int l, JavaModel.Experts routed, long chosen) {
        List<StagedExpert>[] copies = stagedExperts.get(l);
        if (copies == null) {
            return routed;
        }
        Weight[][] mats = {routed.gate().clone(), routed.up().clone(), routed.down().clone()};
        long issued = System.nanoTime();
        long done = issued;
        long offset = 0;
        String tier = null;
        for (long bits = chosen; bits != 0; bits &= bits - 1) {
            int e = Long.numberOfTrailingZeros(bits);
            for (StagedExpert x : copies[e]) {
                long bytes = x.source().byteSize();
                done = Math.max(done, charge(x.tier(), issued, bytes));
                MemorySegment.copy(x.source(), 0, expertStaging, offset, bytes);
                mats[x.matrix()][e] = mats[x.matrix()][e].over(expertStaging.asSlice(offset, bytes + Weight.SLACK));
                offset += stagingBytes(bytes);
                tier = x.tier();
            }
        }
        if (tier == null) {
            return routed;
        }
        injector.waitUntil(done);
        long stalled = System.nanoTime() - issued;
        stepStall += stalled;
        synchronized (ledger) {
            ledger.tier(tier).addStall(stalled);
        }
        return routed.withRouted(mats[0], mats[1], mats[2]);
    }

    private String kvTier(int l) {
        return config.placement().kvTiers(l).stream().filter(t -> !config.tiers().get(t).isNative()).findFirst().orElseThrow();
    }

    private void request(int l) {
        if (inFlight[l] != null || (staged.get(l).isEmpty() && stagedKv(l).isEmpty())) {
            return;
        }
        List<KvSpan> kv = stagedKv(l);
        int buffer = l % 2;
        bufferOf[l] = buffer;
        long issued = System.nanoTime();
        inFlight[l] = copier.submit(() -> {
            long done = issued;
            MemorySegment dst = staging[buffer];
            for (Staged s : staged.get(l)) {
                done = Math.max(done, charge(s.tier(), issued, s.source().byteSize()));
                MemorySegment.copy(s.source(), 0, dst, s.stagingOffset(), s.source().byteSize());
            }
            if (!kv.isEmpty()) {
                String t = kvTier(l);
                for (KvSpan span : kv) {
                    long off = 2L * span.from() * kvDim;
                    long bytes = 2L * (span.to() - span.from()) * kvDim;
                    done = Math.max(done, charge(t, issued, 2 * bytes));
                    MemorySegment.copy(kCache[l], off, kStaged[l], off, bytes);
                    MemorySegment.copy(vCache[l], off, vStaged[l], off, bytes);
                }
            }
            injector.waitUntil(done);
        });
    }

    @Override
    public void useComputeProfile(ComputeProfile profile) {
        planner.useComputeProfile(profile);
    }

    @Override
    public LedgerSummary takeSummary() {
        ledger.completeModel(r -> planner.modelStep(r.nTokens(), r.nPast()));
        LedgerSummary s = LedgerSummary.of(ledger);
        ledger.reset();
        return s;
    }

    @Override
    public void close() {
        copier.shutdownNow();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

}
