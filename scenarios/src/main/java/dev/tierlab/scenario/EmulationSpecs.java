package dev.tierlab.scenario;

import dev.tierlab.emulator.Emulator;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.WeightCache;
import dev.tierlab.emulator.access.AccessMode;
import dev.tierlab.emulator.reference.ComputeDtype;
import dev.tierlab.emulator.reference.ReferencePresets;
import dev.tierlab.emulator.reference.ReferenceSystem;
import dev.tierlab.emulator.timeline.TimelineConfig;
import dev.tierlab.emulator.placement.KvRule;
import dev.tierlab.emulator.placement.Placement;
import dev.tierlab.emulator.placement.ExpertSelector;
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

    static final Set<String> KEYS = Set.of("tiers", "placement", "prefetch", "cache", "seed", "reference", "access");
    /** Deeper than this is a typo: the deepest real models have a few hundred layers. */
    static final int MAX_PREFETCH_LAYERS = 1024;
    static final Set<String> WEIGHT_KEYS = Set.of("tier", "match", "layers", "class", "fraction", "access", "experts");
    static final Set<String> REFERENCE_KEYS = Set.of("preset", "name", "bandwidth", "write_bandwidth", "capacity", "flops", "dtypes");
    static final Set<String> KV_KEYS = Set.of("tier", "layers", "recent", "access");
    static final Set<String> PLACEMENT_KEYS = Set.of("default", "weights", "kv");
    static final Set<String> CLASSES = Set.of("attn", "ffn", "experts", "embeddings", "output", "other");

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
            Map<String, Object> m = map("tiers." + e.getKey(), spec);
            if (m.containsKey("file")) { // a tier preset of a reference file (tierlab calibrate --gpu)
                tiers.put(e.getKey(), TierSpecs.fromMap(e.getKey(), ReferenceFiles.tier(e.getKey(), m, baseDir), ReferenceFiles.dirOf(m, baseDir)));
                continue;
            }
            tiers.put(e.getKey(), TierSpecs.fromMap(e.getKey(), m, baseDir));
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
        if (tiers.values().stream().noneMatch(TierSpec::isNative)) {
            throw new SpecException("tiers.hbm", "no tier is the reference's top tier; keep hbm native (drop its bandwidth and latency) and put lower tiers under other names");
        }
        Placement placement = placement(block.get("placement"));
        int prefetch = block.containsKey("prefetch") ? integer("prefetch", block.get("prefetch")) : 0;
        if (prefetch > MAX_PREFETCH_LAYERS) {
            throw new SpecException("prefetch", "%d layers ahead is more than %d; prefetch counts layers, e.g. 1 or 2".formatted(prefetch, MAX_PREFETCH_LAYERS));
        }
        long seed = block.containsKey("seed") ? integer("seed", block.get("seed")) : 42;
        WeightCache cache = null;
        if (block.containsKey("cache")) {
            Map<String, Object> c = map("cache", block.get("cache"));
            if (!c.containsKey("tier") || !c.containsKey("capacity")) {
                throw new SpecException("cache", "expected {tier: hbm, capacity: 1GiB}");
            }
            String cacheTier = String.valueOf(c.get("tier"));
            if (!tiers.containsKey(cacheTier)) {
                throw new SpecException("cache.tier", "unknown tier '%s'; declared tiers: %s".formatted(cacheTier, String.join(", ", tiers.keySet())));
            }
            if (!tiers.get(cacheTier).isNative()) {
                throw new SpecException("cache.tier", "'%s' is a lower tier; the weight cache lives on the top tier (e.g. hbm)".formatted(cacheTier));
            }
            String capacity = String.valueOf(c.get("capacity")).trim();
            if (capacity.endsWith("experts") || capacity.endsWith("expert")) {
                // "0 experts" is an expert cache that holds nothing: the without-cache side of a sweep.
                String n = capacity.replaceAll("experts?$", "").trim();
                cache = n.equals("0") ? WeightCache.ofExperts(cacheTier, 0) : WeightCache.ofExperts(cacheTier, expertCount("cache.capacity", n, 1 << 20));
            } else {
                long capacityBytes = Units.bytes("cache.capacity", capacity);
                if (capacityBytes <= 0) {
                    throw new SpecException("cache.capacity", "must be positive, got '%s'; write e.g. 40GiB (or 0 experts for an expert cache that holds nothing)"
                            .formatted(c.get("capacity")));
                }
                cache = new WeightCache(cacheTier, capacityBytes);
            }
        }
        return new Emulator.Config(tiers, placement, cache, prefetch, seed, baseBytesPerSecond);
    }

    static AccessMode access(String f, Object v) {
        if (v == null) {
            return null;
        }
        return AccessMode.parse(String.valueOf(v)).orElseThrow(() -> new SpecException(f,
                "unknown access mode '%s'; use direct (read in place, as HBF) or staged (copied to the top tier first)".formatted(v)));
    }

    /**
     * The v2 emulation of a point: reference system, tiers at its scale, placement, staging depth,
     * cache, default access and seed. {@code hostDramBytesPerSecond} is used only by {@code reference: host}.
     */
    public static TimelineConfig timeline(Map<String, Object> block, Path baseDir, double hostDramBytesPerSecond) {
        Emulator.Config c = config(block, baseDir, 1);
        ReferenceSystem ref = reference(block.get("reference"), hostDramBytesPerSecond, baseDir);
        return new TimelineConfig(ref, c.tiers(), c.placement(), c.cache(), c.prefetchDepth(), access("access", block.get("access")), c.seed());
    }

    /** Whether a block asks for {@code reference: host} (the only case where the host's DRAM bandwidth matters). */
    public static boolean isHostReference(Map<String, Object> block) {
        Object r = block.get("reference");
        return "host".equals(String.valueOf(r).trim()) || (r instanceof Map<?, ?> m && "host".equals(String.valueOf(m.get("preset"))));
    }

    static ReferenceSystem reference(Object v, double hostDram) {
        return reference(v, hostDram, Path.of("."));
    }

    /** {@code reference: {file: F}} reads F's {@code reference} block (relative to {@code baseDir}); keys beside it override. */
    static ReferenceSystem reference(Object v, double hostDram, Path baseDir) {
        if (v == null) {
            return ReferencePresets.defaultReference();
        }
        Map<String, Object> m = v instanceof Map<?, ?> ? map("reference", v) : Map.of("preset", v);
        if (m.containsKey("file")) {
            m = ReferenceFiles.reference(m, baseDir);
        }
        unknownKeys("reference", m, REFERENCE_KEYS);
        ReferenceSystem base;
        String preset = m.containsKey("preset") ? String.valueOf(m.get("preset")).trim() : null;
        if ("host".equals(preset)) {
            base = ReferencePresets.host(hostDram);
        } else if (preset != null) {
            base = ReferencePresets.byName(preset).orElseThrow(() -> new SpecException("reference" + (v instanceof Map<?, ?> ? ".preset" : ""),
                    "unknown reference '%s'; choose host or one of %s, or give {bandwidth, capacity, flops}".formatted(preset,
                            String.join(", ", ReferencePresets.names()))));
        } else {
            if (!m.containsKey("bandwidth") || !m.containsKey("flops")) {
                throw new SpecException("reference", "a custom reference needs bandwidth and flops (e.g. {name: x, bandwidth: 4.8TB/s, capacity: 141GB, flops: {fp16: 989TFLOP/s}}), or a preset");
            }
            base = null;
        }
        double bw = m.containsKey("bandwidth") ? Units.bytesPerSecond("reference.bandwidth", String.valueOf(m.get("bandwidth"))) : base.topReadBytesPerSecond();
        double wbw = m.containsKey("write_bandwidth") ? Units.bytesPerSecond("reference.write_bandwidth", String.valueOf(m.get("write_bandwidth")))
                : m.containsKey("bandwidth") ? bw : base.topWriteBytesPerSecond();
        long cap = m.containsKey("capacity") ? Units.bytes("reference.capacity", String.valueOf(m.get("capacity"))) : base == null ? 0 : base.topCapacityBytes();
        Map<ComputeDtype, Double> flops = new java.util.EnumMap<>(ComputeDtype.class);
        if (base != null) {
            flops.putAll(base.peakFlopsPerSecond());
        }
        if (m.containsKey("flops")) {
            for (var e : map("reference.flops", m.get("flops")).entrySet()) {
                String f = "reference.flops." + e.getKey();
                ComputeDtype d = ComputeDtype.parse(e.getKey()).orElseThrow(() -> new SpecException(f, "unknown dtype; use fp32, tf32, fp16, bf16, fp8 or int8"));
                flops.put(d, flopsPerSecond(f, String.valueOf(e.getValue())));
            }
        }
        Map<String, ComputeDtype> dtypes = new LinkedHashMap<>(base == null ? Map.of("q8_0", ComputeDtype.INT8) : base.dtypeByGgmlType());
        if (m.containsKey("dtypes")) {
            for (var e : map("reference.dtypes", m.get("dtypes")).entrySet()) {
                String f = "reference.dtypes." + e.getKey();
                dtypes.put(e.getKey().toLowerCase(java.util.Locale.ROOT), ComputeDtype.parse(String.valueOf(e.getValue())).orElseThrow(() -> new SpecException(f,
                        "unknown dtype '%s'; use fp32, tf32, fp16, fp8 or int8".formatted(e.getValue()))));
            }
        }
        String name = m.containsKey("name") ? String.valueOf(m.get("name")) : base != null ? base.name() : "custom";
        boolean host = base != null && base.isHost();
        ComputeDtype def = base != null ? base.defaultDtype() : flops.containsKey(ComputeDtype.FP16) ? ComputeDtype.FP16 : flops.keySet().iterator().next();
        return new ReferenceSystem(name, bw, wbw, cap, flops, dtypes, def, host, base != null ? base.source() : "custom, from the scenario");
    }

    /** "989TFLOP/s", "1.1PFLOP/s", "1979TOPS", "67e12": operations per second, positive. */
    static double flopsPerSecond(String f, String text) {
        String t = text.trim().replace(" ", "");
        java.util.regex.Matcher mm = java.util.regex.Pattern.compile("(?i)([0-9.eE+-]+)([kmgtp]?)(flop/s|flops|op/s|ops)?").matcher(t);
        if (!mm.matches()) {
            throw new SpecException(f, "'%s' is not a rate; write e.g. 989TFLOP/s".formatted(text));
        }
        double v;
        try {
            v = Double.parseDouble(mm.group(1));
        } catch (NumberFormatException e) {
            throw new SpecException(f, "'%s' is not a rate; write e.g. 989TFLOP/s".formatted(text));
        }
        v *= switch (mm.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 1e3;
            case "m" -> 1e6;
            case "g" -> 1e9;
            case "t" -> 1e12;
            case "p" -> 1e15;
            default -> 1;
        };
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new SpecException(f, "must be a positive rate, got '%s'; write e.g. 989TFLOP/s".formatted(text));
        }
        return v;
    }

    static Placement placement(Object block) {
        if (block == null) {
            return Placement.allOn("hbm");
        }
        Map<String, Object> p = map("placement", block);
        for (String k : p.keySet()) {
            if (!PLACEMENT_KEYS.contains(k)) {
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
                Integer recent = r.containsKey("recent") ? integer(f + ".recent", r.get("recent")) : null;
                if (recent != null && recent <= 0) {
                    throw new SpecException(f + ".recent", "must be a positive number of tokens, got %d; omit it to place all remaining positions".formatted(recent));
                }
                kv.add(new KvRule(tier(f, r), layers == null ? null : layers[0], layers == null ? null : layers[1], recent,
                        access(f + ".access", r.get("access"))));
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
        ExpertSelector experts = r.containsKey("experts") ? experts(f + ".experts", r.get("experts")) : null;
        return new WeightRule(tier(f, r), r.containsKey("match") ? String.valueOf(r.get("match")) : null,
                layers == null ? null : layers[0], layers == null ? null : layers[1], cls, fraction, access(f + ".access", r.get("access")),
                experts);
    }

    private static int expertCount(String f, String s) {
        return expertCount(f, s, 64);
    }

    private static int expertCount(String f, String s, int max) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SpecException(f, "'%s' is not an expert count in 1..%d; write e.g. 16 experts".formatted(s, max));
    }

    /** "hot 8" or {hot: 8}: the 8 most used experts per block; "0-7" or [0, 3, 9]: expert indices. */
    static ExpertSelector experts(String f, Object v) {
        if (v instanceof Map<?, ?> m) {
            if (m.size() != 1 || !m.containsKey("hot")) {
                throw new SpecException(f, "expected {hot: N}, \"hot N\", a range \"0-7\" or a list [0, 3]");
            }
            return ExpertSelector.hottest(expertCount(f + ".hot", String.valueOf(m.get("hot")).trim()));
        }
        if (v instanceof List<?> l) {
            long mask = 0;
            for (Object o : l) {
                int e;
                try {
                    e = Integer.parseInt(String.valueOf(o).trim());
                } catch (NumberFormatException ex) {
                    e = -1;
                }
                if (e < 0 || e > 63) {
                    throw new SpecException(f, "'%s' is not an expert index in 0..63".formatted(o));
                }
                mask |= 1L << e;
            }
            if (mask == 0) {
                throw new SpecException(f, "an empty list selects no expert; give indices like [0, 3] or hot N");
            }
            return new ExpertSelector(mask, 0);
        }
        String s = String.valueOf(v).trim();
        if (s.startsWith("hot")) {
            return ExpertSelector.hottest(expertCount(f, s.substring(3).trim()));
        }
        int[] r;
        try {
            int dash = s.indexOf('-');
            r = dash > 0 ? new int[] {Integer.parseInt(s.substring(0, dash).trim()), Integer.parseInt(s.substring(dash + 1).trim())}
                    : new int[] {Integer.parseInt(s), Integer.parseInt(s)};
        } catch (NumberFormatException e) {
            throw new SpecException(f, "'%s' is not an expert selection; write hot 8, 0-7 or [0, 3]".formatted(s));
        }
        if (r[0] < 0 || r[1] > 63 || r[1] < r[0]) {
            throw new SpecException(f, "'%s' is not an expert range within 0..63".formatted(s));
        }
        return ExpertSelector.range(r[0], r[1]);
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
