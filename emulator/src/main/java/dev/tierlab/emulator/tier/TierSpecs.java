package dev.tierlab.emulator.tier;

import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.latency.LatencySpecs;
import dev.tierlab.emulator.units.Units;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Builds a tier from a scenario's map: a {@code preset} to start from, then any of its fields.
 * <pre>
 *   flash: {preset: hbf, read_bandwidth: 0.25x, latency: {dist: lognormal, p50: 3us, p99: 9us}}
 * </pre>
 */
public final class TierSpecs {

    /** Every key a tier map may have (docs/scenario.schema.json lists the same). */
    public static final Set<String> KEYS = Set.of("preset", "class", "capacity", "bandwidth", "read_bandwidth", "write_bandwidth",
            "granularity", "channels", "latency", "read_latency", "write_latency");

    private TierSpecs() {
    }

    public static TierSpec fromMap(String name, Map<String, ?> map, Path baseDir) {
        String f = "tiers." + name;
        for (String k : map.keySet()) {
            if (!KEYS.contains(k)) {
                throw new SpecException(f + "." + k, "unknown key; tier keys are " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        TierSpec t;
        if (map.containsKey("preset")) {
            String preset = String.valueOf(map.get("preset"));
            t = TierPresets.byName(preset).orElseThrow(() -> new SpecException(f + ".preset",
                    "unknown tier preset '%s'; choose one of %s".formatted(preset, String.join(", ", TierPresets.names()))));
            t = t.withName(name);
        } else {
            TierClass c = TierClass.parse(map.containsKey("class") ? String.valueOf(map.get("class")) : "custom").orElseThrow(() ->
                    new SpecException(f + ".class", "unknown class '%s'; use hbm, dram, cxl, flash, ssd or custom".formatted(map.get("class"))));
            if (!map.containsKey("bandwidth") && !map.containsKey("read_bandwidth")) {
                throw new SpecException(f + ".read_bandwidth", "missing; give a preset or a bandwidth (e.g. 14GB/s, 0.25x, native)");
            }
            t = new TierSpec(name, c, 0, Bandwidth.NATIVE, Bandwidth.NATIVE, 4096, 1, LatencyDistribution.ZERO, LatencyDistribution.ZERO);
        }
        TierClass cls = map.containsKey("class") ? TierClass.parse(String.valueOf(map.get("class"))).orElseThrow(() ->
                new SpecException(f + ".class", "unknown class '%s'".formatted(map.get("class")))) : t.tierClass();
        Bandwidth read = t.readBandwidth();
        Bandwidth write = t.writeBandwidth();
        if (map.containsKey("bandwidth")) {
            read = write = Bandwidth.parse(f + ".bandwidth", String.valueOf(map.get("bandwidth")));
        }
        if (map.containsKey("read_bandwidth")) {
            read = Bandwidth.parse(f + ".read_bandwidth", String.valueOf(map.get("read_bandwidth")));
            if (!map.containsKey("write_bandwidth") && !map.containsKey("bandwidth") && !map.containsKey("preset")) {
                write = read;
            }
        }
        if (map.containsKey("write_bandwidth")) {
            write = Bandwidth.parse(f + ".write_bandwidth", String.valueOf(map.get("write_bandwidth")));
        }
        long capacity = map.containsKey("capacity") ? Units.bytes(f + ".capacity", String.valueOf(map.get("capacity"))) : t.capacityBytes();
        long granularity = map.containsKey("granularity") ? Units.bytes(f + ".granularity", String.valueOf(map.get("granularity")))
                : t.granularityBytes();
        int channels = t.channels();
        if (map.containsKey("channels")) {
            try {
                channels = Integer.parseInt(String.valueOf(map.get("channels")).trim());
            } catch (NumberFormatException e) {
                throw new SpecException(f + ".channels", "'%s' is not a whole number".formatted(map.get("channels")));
            }
        }
        LatencyDistribution readLatency = t.readLatency();
        LatencyDistribution writeLatency = t.writeLatency();
        if (map.containsKey("latency")) {
            readLatency = writeLatency = LatencySpecs.parse(f + ".latency", map.get("latency"), baseDir);
        }
        if (map.containsKey("read_latency")) {
            readLatency = LatencySpecs.parse(f + ".read_latency", map.get("read_latency"), baseDir);
        }
        if (map.containsKey("write_latency")) {
            writeLatency = LatencySpecs.parse(f + ".write_latency", map.get("write_latency"), baseDir);
        }
        return new TierSpec(name, cls, capacity, read, write, granularity, channels, readLatency, writeLatency);
    }
}
