package dev.tierlab.emulator.timeline;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.access.AccessMode;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.TensorRef;
import dev.tierlab.emulator.reference.ComputeDtype;
import dev.tierlab.emulator.reference.ReferenceSystem;
import dev.tierlab.emulator.service.TierService;
import dev.tierlab.emulator.tier.TierSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The reference timeline of DESIGN.md ("two clocks"): a virtual clock computed from an engine's trace
 * and a reference system with its tiers. Deterministic for a given config (seed included) and trace;
 * host noise never enters it.
 *
 * <p>Per step and layer index (the blocks, then a pseudo-layer of everything outside them: embedding
 * rows and the output head):
 * <ul>
 *   <li>compute c_ref = max(FLOPs / peak of the reference's dtype, top-tier bytes / top-tier bandwidth);
 *       with {@code reference: host} it is the host's measured compute instead;</li>
 *   <li>direct reads are issued when the layer is issued (the previous layer's end) and the layer ends at
 *       max(its compute start + c_ref, data ready), with c_ref counting only top-tier bytes;</li>
 *   <li>staged copies of layer g + d are issued when layer g starts computing, across step boundaries
 *       (d = 0: at the layer's own issue); a layer computes once its copies have landed (and been
 *       written into the top tier), with all its bytes at top-tier speed;</li>
 *   <li>new K and V are written behind, after the layer computes; a later read of that layer's cache
 *       on the same tier waits for them.</li>
 * </ul>
 * Steps follow each other with no gap. The whole trace is computed before a repeat, so the engine
 * thread never simulates a request.
 */
public final class ReferenceTimeline {

    private ReferenceTimeline() {
    }

    /** The host's measured compute per (step, layer index), for {@code reference: host}. */
    @FunctionalInterface
    public interface HostCompute {
        double nanos(int step, int layer);
    }

    /** One tier's traffic and service figures over a timeline. */
    public record TierStats(String tier, long bytesRead, long bytesWritten, long requests, double stallNanos,
            Histogram deviceLatency, Histogram queueing, Histogram transfer) {
    }

    /**
     * @param stepNanos        reference duration of each step
     * @param layerNanos       per step, each layer index's duration (issue to end, stalls included)
     * @param baseComputeNanos per step, each layer index's c_ref with every byte on the top tier: what
     *                         the same step costs the reference with no lower tier (the baseline)
     */
    public record Result(Trace trace, double[] stepNanos, double[][] layerNanos, double[][] baseComputeNanos,
            Map<String, TierStats> tiers, ExpertStats experts) {

        public Result(Trace trace, double[] stepNanos, double[][] layerNanos, double[][] baseComputeNanos, Map<String, TierStats> tiers) {
            this(trace, stepNanos, layerNanos, baseComputeNanos, tiers, null);
        }

        public double totalNanos(boolean decode) {
            double s = 0;
            for (int k = 0; k < stepNanos.length; k++) {
                if (trace.isDecode(k) == decode) {
                    s += stepNanos[k];
                }
            }
            return s;
        }

        /** Per decode step durations, in trace order. */
        public double[] decodeStepNanos() {
            return java.util.stream.IntStream.range(0, stepNanos.length).filter(trace::isDecode).mapToDouble(k -> stepNanos[k]).toArray();
        }

        /** Step duration had every byte been on the top tier. */
        public double baseStepNanos(int k) {
            double s = 0;
            for (double v : baseComputeNanos[k]) {
                s += v;
            }
            return s;
        }
    }

    /**
     * Mixture-of-experts figures over a timeline, per block and expert: how many steps routed to the
     * expert (decode: tokens; prefill: steps whose union held it), and the top-tier cache's lookups and
     * hits for its slabs that live on lower tiers.
     */
    public record ExpertStats(long[][] routed, long[][] cacheLookups, long[][] cacheHits) {

        /** Hits over lookups of all experts, or NaN with no lookups. */
        public double cacheHitRate() {
            long l = 0;
            long h = 0;
            for (int i = 0; i < cacheLookups.length; i++) {
                for (int e = 0; e < cacheLookups[i].length; e++) {
                    l += cacheLookups[i][e];
                    h += cacheHits[i][e];
                }
            }
            return l == 0 ? Double.NaN : h / (double) l;
        }
    }

    /** A routed tensor of a block: per expert, the placement of its slab. */
    private record RoutedTensor(TensorRef ref, List<List<WeightPart>> perExpert) {
    }

    /** A layer's work in one step: compute and the transfers on each lower tier. */
    private static final class LayerPlan {
        double computeNanos;
        double baseComputeNanos;
        final Map<Integer, Long> direct = new LinkedHashMap<>();
        final Map<Integer, Long> staged = new LinkedHashMap<>();
        final Map<Integer, Long> writes = new LinkedHashMap<>();
        long stagedBytes;
        /** Bytes read on the top tier (placed there or served by its cache), and all bytes read. */
        long topBytes;
        long baseBytes;
        boolean[] kvReadTiers;
    }

    /** Where a weight part's bytes were read from in a step. */
    private enum Served { TOP, CACHE_HIT, STAGED, DIRECT }

    /**
     * Charges {@code bytes} of a weight part to a step's plan: on the top tier when placed there or
     * when the top-tier cache holds it, else staged or read in place on its lower tier.
     */
    private static Served charge(WeightPart w, long bytes, LayerPlan lp, TimelineConfig cfg, List<String> lower) {
        lp.baseBytes += bytes;
        if (w.tier() < 0) {
            lp.topBytes += bytes;
            return Served.TOP;
        }
        String home = lower.get(w.tier());
        String served = cfg.cache() == null ? home : cfg.cache().serve(w.key(), home, bytes);
        if (!served.equals(home) && cfg.isTop(served)) {
            lp.topBytes += bytes;
            return Served.CACHE_HIT;
        }
        if (w.access() == AccessMode.STAGED) {
            lp.staged.merge(w.tier(), bytes, Long::sum);
            lp.stagedBytes += bytes;
            return Served.STAGED;
        }
        lp.direct.merge(w.tier(), bytes, Long::sum);
        return Served.DIRECT;
    }

    private record WeightPart(String key, int tier, AccessMode access, long bytes, long rowBytes) {
    }

    public static Result compute(TimelineConfig cfg, ModelGeometry geo, Trace trace, HostCompute host, boolean histograms) {
        ReferenceSystem ref = cfg.reference();
        if (ref.isHost() && host == null) {
            throw new IllegalArgumentException("reference: host needs the host's measured compute");
        }
        int n = geo.nLayer();
        int li = geo.layerIndices();
        // Lower tiers, indexed.
        List<String> lower = new ArrayList<>();
        Map<String, Integer> index = new LinkedHashMap<>();
        for (TierSpec t : cfg.tiers().values()) {
            if (!t.isNative()) {
                index.put(t.name(), lower.size());
                lower.add(t.name());
            }
        }
        // Static per-layer-index parts: weights by tier and access, FLOPs per token by dtype.
        List<List<WeightPart>> parts = new ArrayList<>();
        double[][] flopsPerToken = new double[li][ComputeDtype.values().length];
        double[][] flopsPerStep = new double[li][ComputeDtype.values().length];
        for (int i = 0; i < li; i++) {
            parts.add(new ArrayList<>());
        }
        int nExpert = geo.nExpert();
        int[][] expertRank = nExpert > 0 ? expertRanks(trace, n, nExpert) : null;
        List<List<RoutedTensor>> routedParts = new ArrayList<>();
        for (int i = 0; i < li; i++) {
            routedParts.add(new ArrayList<>());
        }
        for (TensorRef t : geo.tensors()) {
            int at = t.accessIndex(n) == n || t.layer() < 0 ? n : t.accessIndex(n);
            boolean routed = nExpert > 0 && t.isRoutedExperts() && at < n;
            if (routed) {
                // Each expert's slab is placed on its own: rules may pick experts by index or by hotness.
                TensorRef slab = new TensorRef(t.name(), t.layer(), t.tensorClass(), t.bytes() / nExpert, 0, t.elements() / nExpert,
                        t.ggmlType());
                List<List<WeightPart>> perExpert = new ArrayList<>();
                for (int e = 0; e < nExpert; e++) {
                    List<WeightPart> ps = new ArrayList<>();
                    for (Placement.Part p : cfg.placement().parts(slab, e, expertRank[at][e])) {
                        AccessMode access = cfg.isTop(p.tier()) ? AccessMode.DIRECT : cfg.accessOf(p.tier(), p.access());
                        ps.add(new WeightPart(t.name() + "@" + p.tier() + "#e" + e, cfg.isTop(p.tier()) ? -1 : index.get(p.tier()),
                                access, p.bytes(), 0));
                    }
                    perExpert.add(ps);
                }
                routedParts.get(at).add(new RoutedTensor(t, perExpert));
            } else {
                for (Placement.Part p : cfg.placement().parts(t)) {
                    long rowBytes = t.rowBytes() > 0 ? Math.round((double) t.rowBytes() * p.bytes() / t.bytes()) : 0;
                    AccessMode access = cfg.isTop(p.tier()) ? AccessMode.DIRECT : cfg.accessOf(p.tier(), p.access());
                    parts.get(at).add(new WeightPart(t.name() + "@" + p.tier() + (rowBytes > 0 ? "#rows" : ""),
                            cfg.isTop(p.tier()) ? -1 : index.get(p.tier()), access, p.bytes(), rowBytes));
                }
            }
            if (routed && t.isMatrix()) {
                // Each token multiplies by its nExpertUsed experts' slabs only.
                int d = ref.isHost() ? 0 : ref.dtypeOf(t.ggmlType()).ordinal();
                flopsPerToken[at][d] += 2.0 * t.elements() / geo.nExpert() * geo.nExpertUsed();
            } else if (t.isMatrix()) {
                int d = ref.isHost() ? 0 : ref.dtypeOf(t.ggmlType()).ordinal();
                // Only the last token's logits are computed in a step (llama.cpp skips the rest before the head).
                if (at == n) {
                    flopsPerStep[at][d] += 2.0 * t.elements();
                } else {
                    flopsPerToken[at][d] += 2.0 * t.elements();
                }
            }
        }
        int steps = trace.steps();
        int total = steps * li;
        LayerPlan[] plans = new LayerPlan[total];
        var cache = cfg.cache();
        long[][] routedCount = new long[n][Math.max(nExpert, 0)];
        long[][] cacheLookups = new long[n][Math.max(nExpert, 0)];
        long[][] cacheHits = new long[n][Math.max(nExpert, 0)];
        for (int k = 0; k < steps; k++) {
            for (int l = 0; l < li; l++) {
                int nTok = trace.nTokens()[k];
                int nPast = trace.nPast()[k];
                LayerPlan lp = new LayerPlan();
                lp.kvReadTiers = new boolean[lower.size()];
                double flopsNanos = 0;
                if (!ref.isHost()) {
                    for (ComputeDtype d : ComputeDtype.values()) {
                        // One logits row per sequence of a batch (a single-sequence step has one).
                        double f = flopsPerToken[l][d.ordinal()] * nTok + flopsPerStep[l][d.ordinal()] * trace.sequences(k);
                        if (f > 0) {
                            flopsNanos += ref.computeNanos(d, f);
                        }
                    }
                    if (l < n) {
                        // Attention is per sequence: each attends to its own positions only.
                        double attn = 0;
                        for (int s = 0; s < trace.sequences(k); s++) {
                            attn += 4.0 * geo.nHead() * geo.headDim() * trace.tokensOf(k, s) * (double) (trace.pastOf(k, s) + trace.tokensOf(k, s));
                        }
                        flopsNanos += ref.computeNanos(ComputeDtype.FP16, attn);
                    }
                }
                for (WeightPart w : parts.get(l)) {
                    long bytes = w.rowBytes() > 0 ? Math.min(w.bytes(), w.rowBytes() * nTok) : w.bytes();
                    charge(w, bytes, lp, cfg, lower);
                }
                // Routed experts: only the slabs of experts that some token of this step picked (the union in
                // prefill; every expert when the trace has no routing), each slab its own cache entry.
                if (!routedParts.get(l).isEmpty()) {
                    long mask = trace.hasRouting() ? trace.experts()[k][l] : (nExpert == 64 ? -1L : (1L << nExpert) - 1);
                    for (long m = mask; m != 0; m &= m - 1) {
                        routedCount[l][Long.numberOfTrailingZeros(m)]++;
                    }
                    for (RoutedTensor rt : routedParts.get(l)) {
                        for (long m = mask; m != 0; m &= m - 1) {
                            int e = Long.numberOfTrailingZeros(m);
                            for (WeightPart w : rt.perExpert().get(e)) {
                                Served s = charge(w, w.bytes(), lp, cfg, lower);
                                if (cache != null && s != Served.TOP) {
                                    cacheLookups[l][e]++;
                                }
                                if (s == Served.CACHE_HIT) {
                                    cacheHits[l][e]++;
                                }
                            }
                        }
                    }
                }
                // Weights above are charged once per step whatever the batch; KV per sequence and position.
                for (int q = 0; q < trace.sequences(k) && l < n && geo.kvBytesPerTokenPerLayer() > 0; q++) {
                    nPast = trace.pastOf(k, q);
                    nTok = trace.tokensOf(k, q);
                    long kv = geo.kvBytesPerTokenPerLayer();
                    for (Placement.KvSpan s : cfg.placement().kvSpans(l, nPast)) {
                        long bytes = s.tokens() * kv;
                        lp.baseBytes += bytes;
                        if (cfg.isTop(s.tier())) {
                            lp.topBytes += bytes;
                        } else {
                            int t = index.get(s.tier());
                            lp.kvReadTiers[t] = true;
                            if (cfg.accessOf(s.tier(), cfg.placement().kvAccess(l, s.tier())) == AccessMode.STAGED) {
                                lp.staged.merge(t, bytes, Long::sum);
                                lp.stagedBytes += bytes;
                            } else {
                                lp.direct.merge(t, bytes, Long::sum);
                            }
                        }
                    }
                    for (Placement.KvSpan s : cfg.placement().kvSpans(l, nPast + nTok)) {
                        int from = Math.max(s.from(), nPast);
                        if (s.to() > from && !cfg.isTop(s.tier())) {
                            lp.writes.merge(index.get(s.tier()), (s.to() - from) * kv, Long::sum);
                        }
                    }
                }
                if (ref.isHost()) {
                    lp.computeNanos = lp.baseComputeNanos = host.nanos(k, l);
                } else {
                    double topBw = ref.topReadBytesPerSecond() / 1e9;
                    lp.computeNanos = Math.max(flopsNanos, (lp.topBytes + lp.stagedBytes) / topBw);
                    lp.baseComputeNanos = Math.max(flopsNanos, lp.baseBytes / topBw);
                }
                plans[k * li + l] = lp;
            }
        }
        // Services, one per lower tier and direction, each seeded from the config seed and the tier's name.
        TierService[] reads = new TierService[lower.size()];
        TierService[] writes = new TierService[lower.size()];
        for (int t = 0; t < lower.size(); t++) {
            TierSpec spec = cfg.tiers().get(lower.get(t));
            long seed = cfg.seed() * 1_000_003L + spec.name().hashCode();
            reads[t] = new TierService(cfg.bytesPerSecond(spec, false), spec.granularityBytes(), spec.channels(), spec.readLatency(),
                    seed, histograms);
            writes[t] = new TierService(cfg.bytesPerSecond(spec, true), spec.granularityBytes(), spec.channels(), spec.writeLatency(),
                    seed + 1, false);
        }
        double topWriteNanosPerByte = 1e9 / ref.topWriteBytesPerSecond();
        double topWriteFree = 0;
        double[] stall = new double[lower.size()];
        int[][] kvWriteBatch = new int[lower.size()][li];
        for (int[] row : kvWriteBatch) {
            java.util.Arrays.fill(row, -1);
        }
        int d = cfg.prefetchDepth();
        int[][] stagedBatch = new int[total][];
        if (d >= 1) {
            for (int g = 0; g < Math.min(d, total); g++) {
                stagedBatch[g] = issueStaged(plans[g], reads, 0);
            }
        }
        double[] stepNanos = new double[steps];
        double[][] layerNanos = new double[steps][li];
        double[][] baseNanos = new double[steps][li];
        double end = 0;
        for (int k = 0; k < steps; k++) {
            double stepStart = end;
            for (int l = 0; l < li; l++) {
                int g = k * li + l;
                LayerPlan lp = plans[g];
                double issue = end;
                int[] direct = new int[lower.size()];
                java.util.Arrays.fill(direct, -1);
                for (var e : lp.direct.entrySet()) {
                    direct[e.getKey()] = reads[e.getKey()].issue(issue, e.getValue());
                }
                if (d == 0) {
                    stagedBatch[g] = issueStaged(lp, reads, issue);
                }
                double start = issue;
                if (lp.stagedBytes > 0) {
                    double tierDone = issue;
                    int worst = -1;
                    int[] sb = stagedBatch[g];
                    for (int t = 0; t < sb.length; t++) {
                        if (sb[t] >= 0) {
                            double c = reads[t].completion(sb[t]);
                            if (c >= tierDone) {
                                tierDone = c;
                                worst = t;
                            }
                        }
                    }
                    double written = Math.max(tierDone, topWriteFree + lp.stagedBytes * topWriteNanosPerByte);
                    topWriteFree = written;
                    start = Math.max(issue, written);
                    if (worst >= 0) {
                        stall[worst] += start - issue;
                    }
                }
                if (d >= 1 && g + d < total) {
                    stagedBatch[g + d] = issueStaged(plans[g + d], reads, start);
                }
                double computed = start + lp.computeNanos;
                double ready = issue;
                int worst = -1;
                for (int t = 0; t < lower.size(); t++) {
                    double c = direct[t] >= 0 ? reads[t].completion(direct[t]) : issue;
                    if (lp.kvReadTiers[t] && kvWriteBatch[t][l] >= 0) {
                        c = Math.max(c, writes[t].completion(kvWriteBatch[t][l]));
                    }
                    if (c > ready) {
                        ready = c;
                        worst = t;
                    }
                }
                end = Math.max(computed, ready);
                if (worst >= 0 && ready > computed) {
                    stall[worst] += ready - computed;
                }
                for (var e : lp.writes.entrySet()) {
                    kvWriteBatch[e.getKey()][l] = writes[e.getKey()].issue(end, e.getValue());
                }
                layerNanos[k][l] = end - issue;
                baseNanos[k][l] = lp.baseComputeNanos;
            }
            stepNanos[k] = end - stepStart;
        }
        Map<String, TierStats> stats = new LinkedHashMap<>();
        for (int t = 0; t < lower.size(); t++) {
            reads[t].drain();
            writes[t].drain();
            stats.put(lower.get(t), new TierStats(lower.get(t), reads[t].bytes(), writes[t].bytes(),
                    reads[t].requests() + writes[t].requests(), stall[t], reads[t].deviceLatency(), reads[t].queueing(),
                    reads[t].transfer()));
        }
        return new Result(trace, stepNanos, layerNanos, baseNanos, stats,
                nExpert > 0 ? new ExpertStats(routedCount, cacheLookups, cacheHits) : null);
    }

    /**
     * Per block, each expert's popularity rank (0: most used) in the trace's routing: the profile that
     * hot-expert placement rules read. The trace is the routing the engine recorded on the top tier
     * (routing does not depend on the tiers). Without routing, rank = index. Ties go to the lower index.
     */
    static int[][] expertRanks(Trace trace, int nLayer, int nExpert) {
        int[][] rank = new int[nLayer + 1][nExpert];
        for (int l = 0; l <= nLayer; l++) {
            long[] count = new long[nExpert];
            if (trace.hasRouting() && l < nLayer) {
                for (long[] step : trace.experts()) {
                    for (long m = step[l]; m != 0; m &= m - 1) {
                        count[Long.numberOfTrailingZeros(m)]++;
                    }
                }
            }
            Integer[] order = new Integer[nExpert];
            for (int e = 0; e < nExpert; e++) {
                order[e] = e;
            }
            java.util.Arrays.sort(order, (a, b) -> count[a] != count[b] ? Long.compare(count[b], count[a]) : Integer.compare(a, b));
            for (int r = 0; r < nExpert; r++) {
                rank[l][order[r]] = r;
            }
        }
        return rank;
    }

    private static int[] issueStaged(LayerPlan lp, TierService[] reads, double at) {
        int[] b = new int[reads.length];
        java.util.Arrays.fill(b, -1);
        for (var e : lp.staged.entrySet()) {
            b[e.getKey()] = reads[e.getKey()].issue(at, e.getValue());
        }
        return b;
    }

    /**
     * The most requests any single step would send to one tier, for validation: a spec whose service
     * would need more than {@code limit} requests per step is refused with the field to change.
     */
    public static void checkRequestBudget(TimelineConfig cfg, ModelGeometry geo, int maxTokensPerStep, int maxPositions, long limit) {
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (TensorRef t : geo.tensors()) {
            for (Placement.Part p : cfg.placement().parts(t)) {
                if (!cfg.isTop(p.tier())) {
                    long b = t.rowBytes() > 0 ? Math.min(p.bytes(), Math.round((double) t.rowBytes() * p.bytes() / t.bytes()) * maxTokensPerStep) : p.bytes();
                    bytes.merge(p.tier(), b, Long::sum);
                }
            }
        }
        for (int l = 0; l < geo.nLayer(); l++) {
            for (Placement.KvSpan s : cfg.placement().kvSpans(l, maxPositions)) {
                if (!cfg.isTop(s.tier())) {
                    bytes.merge(s.tier(), s.tokens() * geo.kvBytesPerTokenPerLayer(), Long::sum);
                }
            }
        }
        for (var e : bytes.entrySet()) {
            TierSpec spec = cfg.tiers().get(e.getKey());
            long requests = (e.getValue() + spec.granularityBytes() - 1) / spec.granularityBytes();
            if (requests > limit) {
                throw new SpecException("tiers." + e.getKey() + ".granularity", ("%s would serve %,d requests per step (limit %,d): "
                        + "raise the granularity to at least %s").formatted(e.getKey(), requests, limit,
                        dev.tierlab.emulator.units.Units.formatBytes((e.getValue() + limit - 1) / limit)));
            }
        }
    }

    /**
     * Refuses a configuration whose top tier could not hold what it keeps there on the reference: the
     * weights placed on it, KV positions placed on it up to {@code maxPositions}, a weight cache on it,
     * and the staging buffers of staged reads (d + 1 of the largest layer's staged bytes). The same
     * check is made for the all-on-top baseline. A reference capacity of 0 sets capacity aside.
     */
    public static void checkCapacityWithBaseline(TimelineConfig cfg, ModelGeometry geo, int maxPositions) {
        checkCapacity(TimelineConfig.allOnTop(cfg.reference(), cfg.tiers()), geo, maxPositions);
        checkCapacity(cfg, geo, maxPositions);
    }

    /** The check of {@link #checkCapacityWithBaseline} for one configuration. */
    public static void checkCapacity(TimelineConfig cfg, ModelGeometry geo, int maxPositions) {
        long capacity = cfg.reference().topCapacityBytes();
        if (capacity <= 0) {
            return;
        }
        long weights = 0;
        long[] staged = new long[geo.nLayer() + 1];
        for (TensorRef t : geo.tensors()) {
            for (Placement.Part p : cfg.placement().parts(t)) {
                if (cfg.isTop(p.tier())) {
                    weights += p.bytes();
                } else if (cfg.accessOf(p.tier(), p.access()) == dev.tierlab.emulator.access.AccessMode.STAGED) {
                    staged[t.layer() >= 0 && t.layer() < geo.nLayer() ? t.layer() : geo.nLayer()] += p.bytes();
                }
            }
        }
        long kv = 0;
        for (int l = 0; l < geo.nLayer(); l++) {
            for (Placement.KvSpan s : cfg.placement().kvSpans(l, maxPositions)) {
                if (cfg.isTop(s.tier())) {
                    kv += (long) (s.to() - s.from()) * geo.kvBytesPerTokenPerLayer();
                }
            }
        }
        long cache = cfg.cache() != null && cfg.isTop(cfg.cache().tier()) ? cfg.cache().capacityBytes() : 0;
        long staging = java.util.Arrays.stream(staged).max().orElse(0) * (cfg.prefetchDepth() + 1L);
        long need = weights + kv + cache + staging;
        if (need > capacity) {
            boolean baseline = cfg.placement().weights().isEmpty() && cfg.placement().kv().isEmpty();
            throw new SpecException("reference.capacity", ("%s holds %s on its top tier, but the %s placement keeps %s there (weights %s, "
                    + "KV for %,d positions %s, cache %s, staging %s): place more on lower tiers, or set reference.capacity: 0 to set "
                    + "capacity aside and say so in the scenario's header").formatted(cfg.reference().name(),
                    dev.tierlab.emulator.units.Units.formatBytes(capacity), baseline ? "all-on-top baseline" : "point's",
                    dev.tierlab.emulator.units.Units.formatBytes(need), dev.tierlab.emulator.units.Units.formatBytes(weights), maxPositions,
                    dev.tierlab.emulator.units.Units.formatBytes(kv), dev.tierlab.emulator.units.Units.formatBytes(cache),
                    dev.tierlab.emulator.units.Units.formatBytes(staging)));
        }
    }
}
