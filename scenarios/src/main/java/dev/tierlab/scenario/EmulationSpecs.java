package dev.tierlab.scenario;

import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.WeightCache;
import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.WeightRule;
import dev.tierlab.emulator.tier.Bandwidth;
import dev.tierlab.emulator.tier.TierClass;
import dev.tierlab.emulator.tier.TierSpec;
import dev.tierlab.emulator.tier.TierSpecs;
import dev.tierlab.emulator.units.Units;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The emulation blocks of a scenario (tiers, placement, prefetch, cache, seed) as plain maps, as
 * YAML gives them, turned into an {@link Emulator.Config}. Every error names its field.
 * <pre>
 * tiers:
 *   flash: {preset: hbf, read_bandwidth: 0.25x}
 * placement:
 *   default: hbm
 *   weights: [{tier: flash, class: ffn, layers: 0-15, match: "blk.*", fraction: 0.5}]   # or {ffn: flash}
 *   kv: [{tier: hbm, recent: 512}, {tier: flash}]
 * prefetch: 1
 * cache: {tier: hbm, capacity: 1GiB}
 * </pre>
 * A tier named {@code hbm} (the machine's own memory) exists unless the scenario declares its own.
 */
public final class EmulationSpecs {

    static final Set<String> KEYS = Set.of("tiers", "placement", "prefetch", "cache", "seed");
    private static final Set<String> WEIGHT_KEYS = Set.of("tier", "match", "layers", "class", "fraction");
    private static final Set<String> KV_KEYS = Set.of("tier", "layers", "recent");
    private static final Set<String> CLASSES = Set.of("attn", "ffn", "experts", "embeddings", "output", "other");

    private EmulationSpecs() {
    }

    /** True when any tier uses a bandwidth relative to the calibrated base. */
    public static boolean needsBase(Map<String, TierSpec> tiers) {
        return tiers.values().stream().anyMatch(t -> t.readBandwidth() instanceof Bandwidth.Relative
                || t.writeBandwidth() instanceof Bandwidth.Relative);
    }

    public static Map<String, TierSpec> tiers(Object tiersBlock, Path baseDir) {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("hbm", TierSpec.nativeTier("hbm", TierClass.HBM));
        if (tiersBlock == null) {
            return tiers;
        }
        for (Map.Entry<String, Object> e : map("tiers", tiersBlock).entrySet()) {
            Object spec = e.getValue();
            if (spec instanceof String preset) {
                spec = Map.of("preset", preset);
            }
            tiers.put(e.getKey(), TierSpecs.fromMap(e.getKey(), map("tiers." + e.getKey(), spec), baseDir));
        }
        return tiers;
    }

    public static Emulator.Config config(Map<String, Object> block, Path baseDir, double baseBytesPerSecond) {
        for (String k : block.keySet()) {
            if (!KEYS.contains(k)) {
                throw new SpecException(k, "unknown key; emulation keys are " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        Map<String, TierSpec> tiers = tiers(block.get("tiers"), baseDir);
        Placement placement = placement(block.get("placement"));
        int prefetch = block.containsKey("prefetch") ? integer("prefetch", block.get("prefetch")) : 0;
        long seed = block.containsKey("seed") ? integer("seed", block.get("seed")) : 42;
        WeightCache cache = null;
        if (block.containsKey("cache")) {
            Map<String, Object> c = map("cache", block.get("cache"));
            if (!c.containsKey("tier") || !c.containsKey("capacity")) {
                throw new SpecException("cache", "expected {tier: hbm, capacity: 1GiB}");
            }
            cache = new WeightCache(String.valueOf(c.get("tier")), Units.bytes("cache.capacity", String.valueOf(c.get("capacity"))));
        }
        return new Emulator.Config(tiers, placement, cache, prefetch, seed, baseBytesPerSecond);
    }

    static Placement placement(Object block) {
        if (block == null) {
            return Placement.allOn("hbm");
        }
        Map<String, Object> p = map("placement", block);
        for (String k : p.keySet()) {
            if (!Set.of("default", "weights", "kv").contains(k)) {
                throw new SpecException("placement." + k, "unknown key; placement keys are default, weights, kv");
            }
        }
        String defaultTier = String.valueOf(p.getOrDefault("default", "hbm"));
        List<WeightRule> weights = new ArrayList<>();
        Object w = p.get("weights");
        if (w instanceof Map<?, ?> byClass) {
            for (Map.Entry<?, ?> e : byClass.entrySet()) {
                String cls = String.valueOf(e.getKey());
                if (!CLASSES.contains(cls)) {
                    throw new SpecException("placement.weights." + cls, "unknown tensor class; use " + String.join(", ", CLASSES));
                }
                weights.add(new WeightRule(String.valueOf(e.getValue()), null, null, null, cls, 1));
            }
        } else if (w != null) {
            List<?> rules = list("placement.weights", w);
            for (int i = 0; i < rules.size(); i++) {
                weights.add(weightRule("placement.weights[" + i + "]", map("placement.weights[" + i + "]", rules.get(i))));
            }
        }
        List<KvRule> kv = new ArrayList<>();
        if (p.get("kv") != null) {
            List<?> rules = list("placement.kv", p.get("kv"));
            for (int i = 0; i < rules.size(); i++) {
                String f = "placement.kv[" + i + "]";
                Map<String, Object> r = map(f, rules.get(i));
                unknownKeys(f, r, KV_KEYS);
                int[] layers = r.containsKey("layers") ? layers(f + ".layers", r.get("layers")) : null;
                kv.add(new KvRule(tier(f, r), layers == null ? null : layers[0], layers == null ? null : layers[1],
                        r.containsKey("recent") ? integer(f + ".recent", r.get("recent")) : null));
            }
        }
        return new Placement(weights, kv, defaultTier);
    }

    private static WeightRule weightRule(String f, Map<String, Object> r) {
        unknownKeys(f, r, WEIGHT_KEYS);
        int[] layers = r.containsKey("layers") ? layers(f + ".layers", r.get("layers")) : null;
        String cls = r.containsKey("class") ? String.valueOf(r.get("class")) : null;
        if (cls != null && !CLASSES.contains(cls)) {
            throw new SpecException(f + ".class", "unknown tensor class '%s'; use %s".formatted(cls, String.join(", ", CLASSES)));
        }
        double fraction = 1;
        if (r.containsKey("fraction")) {
            String s = String.valueOf(r.get("fraction")).trim();
            try {
                fraction = s.endsWith("%") ? Double.parseDouble(s.substring(0, s.length() - 1)) / 100 : Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new SpecException(f + ".fraction", "'%s' is not a fraction; write 0.3 or 30%%".formatted(s));
            }
            if (!(fraction > 0 && fraction <= 1)) {
                throw new SpecException(f + ".fraction", "must be in (0, 1], got " + s);
            }
        }
        return new WeightRule(tier(f, r), r.containsKey("match") ? String.valueOf(r.get("match")) : null,
                layers == null ? null : layers[0], layers == null ? null : layers[1], cls, fraction);
    }

    private static String tier(String f, Map<String, Object> r) {
        if (!r.containsKey("tier")) {
            throw new SpecException(f + ".tier", "missing: which tier these bytes live on");
        }
        return String.valueOf(r.get("tier"));
    }

    /** "3", "0-15" or [0, 15]: an inclusive layer range. */
    static int[] layers(String f, Object v) {
        String s = String.valueOf(v).trim();
        try {
            if (v instanceof List<?> l && l.size() == 2) {
                return new int[] {Integer.parseInt(String.valueOf(l.get(0))), Integer.parseInt(String.valueOf(l.get(1)))};
            }
            int dash = s.indexOf('-');
            int[] r = dash > 0 ? new int[] {Integer.parseInt(s.substring(0, dash).trim()), Integer.parseInt(s.substring(dash + 1).trim())}
                    : new int[] {Integer.parseInt(s), Integer.parseInt(s)};
            if (r[0] < 0 || r[1] < r[0]) {
                throw new NumberFormatException();
            }
            return r;
        } catch (NumberFormatException e) {
            throw new SpecException(f, "'%s' is not a layer range; write 5 or 0-15".formatted(s));
        }
    }

    static int integer(String f, Object v) {
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new SpecException(f, "'%s' is not a whole number".formatted(v));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(String f, Object v) {
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new SpecException(f, "expected a map of keys, got '%s'".formatted(v));
    }

    static List<?> list(String f, Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        throw new SpecException(f, "expected a list, got '%s'".formatted(v));
    }

    static void unknownKeys(String f, Map<String, Object> m, Set<String> allowed) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new SpecException(f + "." + k, "unknown key; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }
}
