package dev.tierlab.emulator.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.WeightCache;
import dev.tierlab.emulator.placement.ExpertSelector;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.TensorRef;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.emulator.reference.ReferencePresets;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierPresets;
import dev.tierlab.emulator.tier.TierSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routed experts in the reference timeline: only the routed slabs are read, and a top-tier cache holds experts. */
class RoutedExpertsTimelineTest {

    static final long EXPERT = 1L << 20; // bytes of one expert's slab of one routed tensor

    /** 2 blocks, 8 experts, top-2: a 1 MiB attention matrix and three routed tensors of 8 x 1 MiB each. */
    static ModelGeometry geometry() {
        List<TensorRef> t = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            t.add(new TensorRef("blk." + l + ".attn_q.weight", l, "attn", EXPERT, 0, EXPERT, "q8_0"));
            for (String m : List.of("ffn_gate_exps", "ffn_up_exps", "ffn_down_exps")) {
                t.add(new TensorRef("blk." + l + "." + m + ".weight", l, "experts", 8 * EXPERT, 0, 8 * EXPERT, "q8_0"));
            }
        }
        return new ModelGeometry(t, 2, 8, 64, 0, 8, 2);
    }

    static TimelineConfig onFlash(WeightCache cache) {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("hbm", TierSpec.nativeTier("hbm", TierClass.HBM));
        tiers.put("hbf", TierPresets.byName("hbf").orElseThrow().withName("hbf"));
        Placement p = new Placement(List.of(WeightRule.all("hbf")), List.of(), "hbm");
        return new TimelineConfig(ReferencePresets.byName("h200").orElseThrow(), tiers, p, cache, 0, null, 1);
    }

    /** Decode steps that route, in both blocks, to the experts of {@code masks[k]}. */
    static Trace decode(long... masks) {
        int[] tok = new int[masks.length];
        int[] past = new int[masks.length];
        long[][] experts = new long[masks.length][];
        for (int k = 0; k < masks.length; k++) {
            tok[k] = 1;
            past[k] = k;
            experts[k] = new long[] {masks[k], masks[k]};
        }
        return new Trace(tok, past, experts);
    }

    @Test
    void onlyRoutedExpertsAreReadAndWithoutRoutingEveryExpertIs() {
        var routed = ReferenceTimeline.compute(onFlash(null), geometry(), decode(0b11, 0b1100), null, false);
        // per step: 2 blocks x (attn 1 MiB + 3 tensors x 2 experts x 1 MiB)
        assertEquals(2 * 2 * (1 + 3 * 2) * EXPERT, routed.tiers().get("hbf").bytesRead());
        var unknown = ReferenceTimeline.compute(onFlash(null), geometry(), new Trace(new int[] {1, 1}, new int[] {0, 1}), null, false);
        assertEquals(2 * 2 * (1 + 3 * 8) * EXPERT, unknown.tiers().get("hbf").bytesRead());
        assertTrue(routed.totalNanos(true) < unknown.totalNanos(true));
    }

    @Test
    void prefillReadsTheUnionOfItsTokensExperts() {
        Trace prefill = new Trace(new int[] {4}, new int[] {0}, new long[][] {{0b1011, 0b1}});
        var r = ReferenceTimeline.compute(onFlash(null), geometry(), prefill, null, false);
        assertEquals((2 + 3 * 3 + 3 * 1) * EXPERT, r.tiers().get("hbf").bytesRead());
    }

    @Test
    void aTopTierCacheHoldsHotExpertsNotWholeTensors() {
        // Room for 6 expert slabs (one layer's two routed experts, three tensors each) plus attention: the
        // repeat of the same two experts in block 0 and 1 is served from HBM after the first step.
        WeightCache cache = new WeightCache("hbm", 16 * EXPERT);
        var r = ReferenceTimeline.compute(onFlash(cache), geometry(), decode(0b11, 0b11, 0b11), null, false);
        long first = 2 * (1 + 3 * 2) * EXPERT;
        assertEquals(first, r.tiers().get("hbf").bytesRead(), "after step 0 every read hits the cache");
        assertEquals(2 * 2 * 7, cache.hits());
        assertEquals(2 * 7, cache.misses());
    }

    static TimelineConfig expertsOnFlashExcept(ExpertSelector onHbm, WeightCache cache) {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("hbm", TierSpec.nativeTier("hbm", TierClass.HBM));
        tiers.put("hbf", TierPresets.byName("hbf").orElseThrow().withName("hbf"));
        Placement p = new Placement(List.of(new WeightRule("hbm", null, null, null, "experts", 1, null, onHbm),
                new WeightRule("hbf", null, null, null, "experts", 1)), List.of(), "hbm");
        return new TimelineConfig(ReferencePresets.byName("h200").orElseThrow(), tiers, p, cache, 0, null, 1);
    }

    @Test
    void expertsPlacedByIndexStayOnTheTopTier() {
        // experts 0-1 on HBM, the rest on flash; step 0 routes to 0 and 1 (all HBM), step 1 to 1 and 2 (one on flash)
        var r = ReferenceTimeline.compute(expertsOnFlashExcept(ExpertSelector.range(0, 1), null), geometry(),
                decode(0b011, 0b110), null, false);
        assertEquals(2 * 3 * EXPERT, r.tiers().get("hbf").bytesRead());
    }

    @Test
    void hotExpertsComeFromTheRecordedRoutingProfile() {
        // Expert 5 is routed in every step, expert 6 twice, the others once: hot 2 keeps 5 and 6 on HBM.
        Trace t = decode(0b0110_0000, 0b0110_0000, 0b0010_0001, 0b0010_0010);
        var r = ReferenceTimeline.compute(expertsOnFlashExcept(ExpertSelector.hottest(2), null), geometry(), t, null, false);
        // only experts 0 and 1 (one step each, 2 blocks, 3 tensors) come from flash
        assertEquals(2 * 2 * 3 * EXPERT, r.tiers().get("hbf").bytesRead());
        assertEquals(4, r.experts().routed()[0][5]);
        assertEquals(2, r.experts().routed()[1][6]);
        assertEquals(1, r.experts().routed()[1][0]);
    }

    @Test
    void anExpertCacheCountsExpertsAndRecordsPerExpertHits() {
        // Room for 2 experts: alternating 0,1 | 0,1 hits after the first step; 2,3 then evicts them.
        WeightCache cache = WeightCache.ofExperts("hbm", 2);
        Trace t = new Trace(new int[] {1, 1, 1}, new int[] {0, 1, 2}, new long[][] {{0b11, 0}, {0b11, 0}, {0b1100, 0}});
        var r = ReferenceTimeline.compute(onFlash(cache), geometry(), t, null, false);
        var s = r.experts();
        assertEquals(6, s.cacheLookups()[0][0]);
        assertEquals(3, s.cacheHits()[0][0]);
        assertEquals(0, s.cacheHits()[0][2]);
        assertEquals(6.0 / 18, s.cacheHitRate(), 1e-12);
    }
}
