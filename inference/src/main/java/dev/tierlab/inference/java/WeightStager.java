package dev.tierlab.inference.java;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Copy mode's side of the forward pass: hands over each layer's weights once they are staged, and
 * the copies of KV positions that live on lower tiers.
 */
interface WeightStager extends AutoCloseable {

    /** A span of KV positions [from, to) whose K and V are read from the staged copies. */
    record KvSpan(int from, int to) {
        boolean contains(int position) {
            return position >= from && position < to;
        }
    }

    /** Gives the stager the context's KV cache (f16, kvDim values per position), standing for its tiers. */
    void attachKv(MemorySegment[] k, MemorySegment[] v, int kvDim);

    /** Layer l's weights, waiting until they are staged. */
    JavaModel.Layer layer(int l);

    /**
     * Layer l's routed experts once those in {@code chosen} (bit e: expert e) are staged, waiting for
     * their copies; the router has just picked them, so they cannot be staged ahead.
     */
    JavaModel.Experts experts(int l, JavaModel.Experts routed, long chosen);

    /** The KV spans of layer l read from staging (already copied by the time {@link #layer} returns). */
    List<KvSpan> stagedKv(int l);

    MemorySegment stagedK(int l);

    MemorySegment stagedV(int l);

    @Override
    void close();
}
