package dev.tierlab.emulator;

import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.TensorRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a micro-batch into the bytes each layer moves on each tier. Weights are read once per
 * micro-batch (the token embeddings only for the rows looked up); a layer reads the KV cache of all
 * positions before and in the batch and writes the batch's own. Layer index n is the output head.
 */
final class StepPlanner {

    private record WeightPart(String tensor, String tier, long bytes, long rowBytes) {
    }

    private final List<List<WeightPart>> weightsByLayer = new ArrayList<>();
    /** Mixture-of-experts models: per block and expert, the parts of that expert's slabs of the routed tensors. */
    private final List<List<List<WeightPart>>> expertsByLayer = new ArrayList<>();
    private final Placement placement;
    private final int nLayer;
    private final long kvBytesPerTokenPerLayer;
    private final WeightCache cache;

    /**
     * @param nExpert experts per block of a mixture-of-experts model (0: dense). Its routed tensors are
     *                then charged by {@link #expertAccesses} for the experts a step routed to, not by {@link #plan}.
     *                Without a profiling pass, rules that pick the most used experts ({@code hot N}) take none.
     */
    StepPlanner(List<TensorRef> tensors, int nLayer, long kvBytesPerTokenPerLayer, Placement placement, WeightCache cache, int nExpert) {
        this.placement = placement;
        this.nLayer = nLayer;
        this.kvBytesPerTokenPerLayer = kvBytesPerTokenPerLayer;
        this.cache = cache;
        for (int i = 0; i <= nLayer; i++) {
            weightsByLayer.add(new ArrayList<>());
            List<List<WeightPart>> perExpert = new ArrayList<>();
            for (int e = 0; e < nExpert; e++) {
                perExpert.add(new ArrayList<>());
            }
            expertsByLayer.add(perExpert);
        }
        for (TensorRef t : tensors) {
            int index = t.accessIndex(nLayer);
            if (nExpert > 0 && t.isRoutedExperts() && index < nLayer) {
                TensorRef slab = new TensorRef(t.name(), t.layer(), t.tensorClass(), t.bytes() / nExpert, 0, t.elements() / nExpert, t.ggmlType());
                for (int e = 0; e < nExpert; e++) {
                    for (Placement.Part part : placement.parts(slab, e, Integer.MAX_VALUE)) {
                        expertsByLayer.get(index).get(e).add(new WeightPart(t.name() + "#" + e, part.tier(), part.bytes(), 0));
                    }
                }
                continue;
            }
            for (Map.Entry<String, Long> part : placement.place(t).entrySet()) {
                long rowBytes = t.rowBytes() > 0 ? Math.round((double) t.rowBytes() * part.getValue() / t.bytes()) : 0;
                weightsByLayer.get(index).add(new WeightPart(t.name(), part.getKey(), part.getValue(), rowBytes));
            }
        }
    }

    int layerCount() {
        return nLayer;
    }

    /** Every tier a layer index may touch, before caching. */
    List<String> tiersOf(int index) {
        List<String> tiers = new ArrayList<>();
        weightsByLayer.get(index).forEach(w -> tiers.add(w.tier()));
        expertsByLayer.get(index).forEach(e -> e.forEach(w -> tiers.add(w.tier())));
        if (index < nLayer && kvBytesPerTokenPerLayer > 0) {
            tiers.addAll(placement.kvTiers(index));
        }
        return tiers;
    }

    /** The accesses of each layer index 0..n for a micro-batch; updates the weight cache. */
    List<List<Access>> plan(int nTokens, int nPast, WeightCache cacheState) {
        List<List<Access>> out = new ArrayList<>(nLayer + 1);
        int end = nPast + nTokens;
        for (int i = 0; i <= nLayer; i++) {
            Map<String, long[]> readWrite = new LinkedHashMap<>();
            for (WeightPart w : weightsByLayer.get(i)) {
                long bytes = w.rowBytes() > 0 ? Math.min(w.bytes(), w.rowBytes() * nTokens) : w.bytes();
                String key = w.tensor() + "@" + w.tier() + (w.rowBytes() > 0 ? "#rows" : "");
                String tier = cacheState == null ? w.tier() : cacheState.serve(key, w.tier(), bytes);
                readWrite.computeIfAbsent(tier, k -> new long[2])[0] += bytes;
            }
            if (i < nLayer && kvBytesPerTokenPerLayer > 0) {
                for (Placement.KvSpan s : placement.kvSpans(i, end)) {
                    long[] rw = readWrite.computeIfAbsent(s.tier(), k -> new long[2]);
                    rw[0] += (long) s.tokens() * kvBytesPerTokenPerLayer;
                    int writtenFrom = Math.max(s.from(), nPast);
                    if (s.to() > writtenFrom) {
                        rw[1] += (long) (s.to() - writtenFrom) * kvBytesPerTokenPerLayer;
                    }
                }
            }
            List<Access> accesses = new ArrayList<>();
            readWrite.forEach((tier, rw) -> {
                if (rw[0] > 0) {
                    accesses.add(new Access(tier, rw[0], false));
                }
                if (rw[1] > 0) {
                    accesses.add(new Access(tier, rw[1], true));
                }
            });
            out.add(accesses);
        }
        return out;
    }

    /** Whether block {@code index} has routed experts, charged through {@link #expertAccesses}. */
    boolean routes(int index) {
        return expertsByLayer.get(index).stream().anyMatch(parts -> !parts.isEmpty());
    }

    /**
     * The reads of the experts in {@code mask} (bit e: expert e) of block {@code index}, each expert's
     * slab its own cache entry; updates the weight cache.
     */
    List<Access> expertAccesses(int index, long mask, WeightCache cacheState) {
        Map<String, Long> reads = new LinkedHashMap<>();
        for (long m = mask; m != 0; m &= m - 1) {
            for (WeightPart w : expertsByLayer.get(index).get(Long.numberOfTrailingZeros(m))) {
                String key = w.tensor() + "@" + w.tier();
                String tier = cacheState == null ? w.tier() : cacheState.serve(key, w.tier(), w.bytes());
                reads.merge(tier, w.bytes(), Long::sum);
            }
        }
        List<Access> out = new ArrayList<>();
        reads.forEach((tier, bytes) -> out.add(new Access(tier, bytes, false)));
        return out;
    }

    WeightCache cache() {
        return cache;
    }
}
