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
    private final Placement placement;
    private final int nLayer;
    private final long kvBytesPerTokenPerLayer;
    private final WeightCache cache;

    StepPlanner(List<TensorRef> tensors, int nLayer, long kvBytesPerTokenPerLayer, Placement placement, WeightCache cache) {
        this.placement = placement;
        this.nLayer = nLayer;
        this.kvBytesPerTokenPerLayer = kvBytesPerTokenPerLayer;
        this.cache = cache;
        for (int i = 0; i <= nLayer; i++) {
            weightsByLayer.add(new ArrayList<>());
        }
        for (TensorRef t : tensors) {
            int index = t.accessIndex(nLayer);
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

    WeightCache cache() {
        return cache;
    }
}
