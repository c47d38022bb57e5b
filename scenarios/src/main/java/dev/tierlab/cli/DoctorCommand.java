package dev.tierlab.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tierlab.emulator.calibrate.Doctor;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check whether a measurement started now can be trusted.",
            "Checks the load, other busy processes, CPU steal, the CPU governor,",
            "memory-bandwidth stability, how often a spinning thread loses its CPU, and kernel page-cache reclaim;",
            "one line per check with what to fix, then a verdict. Exits 1 when a measurement would not be trustworthy.",
            "Each check warns at half its failure level."})
final class DoctorCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print the checks and the verdict as JSON instead of text.")
    boolean json;

    @Option(names = "--spin-ms", paramLabel = "MS", defaultValue = "200",
            description = "How long the spinning thread watches its CPU (default: ${DEFAULT-VALUE}).")
    long spinMillis;

    @Option(names = "--probes", paramLabel = "N", defaultValue = "5",
            description = "Memory-bandwidth probes, 20 ms each (default: ${DEFAULT-VALUE}).")
    int probes;

    @Option(names = "--max-load-per-core", paramLabel = "X", description = "Fail above this 1-minute load per core (default: " + Doctor.MAX_LOAD_PER_CORE + ").")
    Double maxLoadPerCore;

    @Option(names = "--max-busy-cores", paramLabel = "X", description = "Fail when other processes use more cores than this (default: " + Doctor.MAX_BUSY_CORES + ").")
    Double maxBusyCores;

    @Option(names = "--max-bandwidth-spread", paramLabel = "X",
            description = "Fail when (max - min) / median of the bandwidth probes exceeds this (default: " + Doctor.MAX_BANDWIDTH_SPREAD + ").")
    Double maxBandwidthSpread;

    @Option(names = "--max-spin-gaps-per-s", paramLabel = "X",
            description = "Fail when the spinning thread loses its CPU more often than this per second (default: " + Doctor.MAX_SPIN_GAPS_PER_SECOND + ").")
    Double maxSpinGapsPerSecond;

    @Option(names = "--max-spin-gap-ms", paramLabel = "MS", description = "Fail when it loses it for longer than this (default: " + Doctor.MAX_SPIN_GAP_MILLIS + ").")
    Double maxSpinGapMillis;

    @Option(names = "--max-steal", paramLabel = "X",
            description = "Fail when the hypervisor steals more than this share of the CPU time (default: " + Doctor.MAX_STEAL + ").")
    Double maxSteal;

    @Option(names = "--spin-gap-us", paramLabel = "US", description = "What counts as losing the CPU (default: " + Doctor.SPIN_GAP_MICROS + " us).")
    Double spinGapMicros;

    Doctor.Thresholds thresholds() {
        Doctor.Thresholds d = Doctor.Thresholds.DEFAULT;
        try {
            return new Doctor.Thresholds(
                    maxLoadPerCore != null ? maxLoadPerCore : d.maxLoadPerCore(),
                    maxBusyCores != null ? maxBusyCores : d.maxBusyCores(),
                    maxBandwidthSpread != null ? maxBandwidthSpread : d.maxBandwidthSpread(),
                    maxSpinGapsPerSecond != null ? maxSpinGapsPerSecond : d.maxSpinGapsPerSecond(),
                    maxSpinGapMillis != null ? maxSpinGapMillis : d.maxSpinGapMillis(),
                    spinGapMicros != null ? Math.round(spinGapMicros * 1000) : d.spinGapNanos(),
                    maxSteal != null ? maxSteal : d.maxSteal());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    @Override
    public Integer call() throws JsonProcessingException {
        if (spinMillis < 1 || spinMillis > 10_000) {
            throw new UserError("--spin-ms: 1 .. 10000, got " + spinMillis);
        }
        if (probes < 0 || probes > 100) {
            throw new UserError("--probes: 0 .. 100, got " + probes);
        }
        Doctor.Thresholds t = thresholds();
        Doctor.Verdict v = Doctor.evaluate(Doctor.measure(spinMillis * 1_000_000L, probes, t.spinGapNanos()), t);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(v, t));
        } else {
            v.lines().forEach(out::println);
        }
        out.flush();
        return v.trustworthy() ? TierlabCli.EXIT_OK : TierlabCli.EXIT_FAILURE;
    }

    static String toJson(Doctor.Verdict v, Doctor.Thresholds t) throws JsonProcessingException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("trustworthy", v.trustworthy());
        root.put("failing", v.failing());
        root.put("warnings", v.warnings());
        List<Map<String, Object>> checks = v.checks().stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("status", c.status().name());
            m.put("finding", c.finding());
            m.put("fix", c.fix());
            m.put("values", c.values());
            return m;
        }).toList();
        root.put("checks", checks);
        Map<String, Object> th = new LinkedHashMap<>();
        th.put("max_load_per_core", t.maxLoadPerCore());
        th.put("max_busy_cores", t.maxBusyCores());
        th.put("max_bandwidth_spread", t.maxBandwidthSpread());
        th.put("max_spin_gaps_per_s", t.maxSpinGapsPerSecond());
        th.put("max_spin_gap_ms", t.maxSpinGapMillis());
        th.put("spin_gap_us", t.spinGapNanos() / 1e3);
        th.put("max_steal", t.maxSteal());
        root.put("thresholds", th);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }
}
