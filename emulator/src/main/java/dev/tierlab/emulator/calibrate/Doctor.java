package dev.tierlab.emulator.calibrate;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whether a measurement started now on this machine can be trusted: load, other busy processes,
 * CPU time stolen by the hypervisor, CPU frequency governor, memory-bandwidth stability, how often a
 * spinning thread loses its CPU, and whether the kernel reclaims idle page cache behind the run's back. Each check is OK, WARN (worth
 * knowing, the numbers can still be trusted), FAIL (they cannot) or SKIP (not visible here); the
 * verdict is trustworthy when no check fails.
 *
 * <p>{@link #check()} measures for about a second (a 200 ms spin, five 20 ms bandwidth probes, the
 * processes' CPU time over the whole window) and judges with the default {@link Thresholds};
 * {@link #evaluate} judges given measurements, so thresholds and verdicts can be tested without
 * timing anything. {@link Verdict#lines()} renders the result as {@code tierlab doctor} prints it.
 */
public final class Doctor {

    public enum Status { OK, WARN, FAIL, SKIP }

    /** The default thresholds ({@link Thresholds#DEFAULT}). */
    public static final double MAX_LOAD_PER_CORE = 1.0;
    public static final double MAX_BUSY_CORES = 0.25;
    public static final double MAX_BANDWIDTH_SPREAD = 0.25;
    public static final double MAX_SPIN_GAPS_PER_SECOND = 100;
    public static final double MAX_SPIN_GAP_MILLIS = 5;
    public static final long SPIN_GAP_MICROS = 50;
    public static final double MAX_STEAL = 0.05;

    /** One check: its name, status, what it found, and what to do about it (empty when nothing). */
    public record Check(String name, Status status, String finding, String fix, Map<String, Object> values) {
    }

    /** All checks; trustworthy when none failed. */
    public record Verdict(List<Check> checks) {

        public boolean trustworthy() {
            return checks.stream().noneMatch(c -> c.status() == Status.FAIL);
        }

        public List<String> failing() {
            return checks.stream().filter(c -> c.status() == Status.FAIL).map(Check::name).toList();
        }

        public List<String> warnings() {
            return checks.stream().filter(c -> c.status() == Status.WARN).map(Check::name).toList();
        }

        /** One line: TRUSTWORTHY or NOT TRUSTWORTHY with the failing checks (and the warnings). */
        public String summary() {
            String w = warnings().isEmpty() ? "" : "; warnings: " + String.join(", ", warnings());
            return trustworthy()
                    ? "verdict: TRUSTWORTHY" + w
                    : "verdict: NOT TRUSTWORTHY (" + String.join(", ", failing()) + ")" + w
                            + ": measurements now would mostly show the machine's other work";
        }

        /** One line per check ("name  STATUS  finding -> fix"), then the summary. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            for (Check c : checks) {
                out.add(String.format(Locale.ROOT, "%-11s %-4s  %s%s", c.name(), c.status(), c.finding(),
                        c.fix().isEmpty() ? "" : " -> " + c.fix()));
            }
            out.add(summary());
            return out;
        }
    }

    /**
     * Where a check fails; each warns at half its failure level.
     *
     * @param maxLoadPerCore 1-minute load average per core
     * @param maxBusyCores CPU used by other processes during the check, in cores
     * @param maxBandwidthSpread (max - min) / median of the bandwidth probes
     * @param maxSpinGapsPerSecond how often a spinning thread may lose its CPU for more than {@code spinGapNanos}
     * @param maxSpinGapMillis the longest such loss
     * @param spinGapNanos what counts as a lost CPU (default 50 us)
     * @param maxSteal the share of all CPU time the hypervisor gave to other guests during the check (steal in /proc/stat)
     */
    public record Thresholds(double maxLoadPerCore, double maxBusyCores, double maxBandwidthSpread, double maxSpinGapsPerSecond,
            double maxSpinGapMillis, long spinGapNanos, double maxSteal) {

        public static final Thresholds DEFAULT = new Thresholds(MAX_LOAD_PER_CORE, MAX_BUSY_CORES, MAX_BANDWIDTH_SPREAD,
                MAX_SPIN_GAPS_PER_SECOND, MAX_SPIN_GAP_MILLIS, SPIN_GAP_MICROS * 1000, MAX_STEAL);

        public Thresholds {
            if (maxLoadPerCore < 0 || maxBusyCores < 0 || maxBandwidthSpread < 0 || maxSpinGapsPerSecond < 0 || maxSpinGapMillis < 0
                    || spinGapNanos <= 0 || maxSteal < 0) {
                throw new IllegalArgumentException("doctor thresholds must not be negative: " + this);
            }
        }
    }

    /** A process other than this one and the CPU it used during the check, in cores. */
    public record BusyProcess(long pid, String name, double cores) {
    }

    /** A spinning thread's view of its CPU: gaps over the threshold, their rate and the longest. */
    public record SpinGaps(long spinNanos, long gapThresholdNanos, int gaps, long maxGapNanos) {
        public double gapsPerSecond() {
            return gaps * 1e9 / spinNanos;
        }
    }

    /**
     * What {@link #measure} saw. {@code load1} and {@code steal} (share of CPU time stolen by the
     * hypervisor during the window) NaN, {@code governors} empty, when not readable;
     * {@code pageCacheReclaim} a description of a kernel page-cache reclaimer, or null when none runs.
     */
    public record Measurements(double load1, int cores, List<BusyProcess> others, double windowSeconds, double steal,
            List<String> governors, double[] bandwidthGbps, SpinGaps spin, String pageCacheReclaim) {
    }

    private Doctor() {
    }

    /** Measures (about a second) and judges with the default thresholds. */
    public static Verdict check() {
        return check(Thresholds.DEFAULT);
    }

    public static Verdict check(Thresholds t) {
        return evaluate(measure(200_000_000L, 5, t.spinGapNanos()), t);
    }

    /** Measures: spins {@code spinNanos}, runs {@code probes} sentinel probes, and reads /proc and /sys around them. */
    public static Measurements measure(long spinNanos, int probes, long spinGapNanos) {
        long self = ProcessHandle.current().pid();
        double load1 = loadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        Map<Long, Long> cpu0 = processTicks(self);
        long[] stat0 = cpuTicks();
        long w0 = System.nanoTime();
        double[] bw = new double[Math.max(0, probes)];
        if (probes > 0) {
            try (Sentinel s = new Sentinel()) {
                for (int i = 0; i < probes; i++) {
                    bw[i] = s.gigabytesPerSecond();
                }
            }
        }
        // after the probes: by then this JVM's own start-up work (JIT compilation) has mostly settled
        spin(Math.min(spinNanos, 20_000_000L), spinGapNanos);
        SpinGaps spin = spin(spinNanos, spinGapNanos);
        Map<Long, Long> cpu1 = processTicks(self);
        long[] stat1 = cpuTicks();
        double window = (System.nanoTime() - w0) / 1e9;
        double steal = stat0 == null || stat1 == null || stat1[0] == stat0[0] ? Double.NaN
                : (double) (stat1[1] - stat0[1]) / (stat1[0] - stat0[0]);
        List<BusyProcess> others = new ArrayList<>();
        for (var e : cpu1.entrySet()) {
            long before = cpu0.getOrDefault(e.getKey(), 0L);
            double cores1 = (e.getValue() - before) / TICKS_PER_SECOND / window;
            if (cores1 > 0) {
                others.add(new BusyProcess(e.getKey(), processName(e.getKey()), cores1));
            }
        }
        others.sort(Comparator.comparingDouble(BusyProcess::cores).reversed());
        return new Measurements(load1, cores, others, window, steal, governors(), bw, spin, pageCacheReclaim());
    }

    /** Judges measurements against thresholds: one check per aspect, in a fixed order. */
    public static Verdict evaluate(Measurements m, Thresholds t) {
        List<Check> checks = new ArrayList<>();
        checks.add(load(m, t));
        checks.add(busy(m, t));
        checks.add(steal(m, t));
        checks.add(governor(m));
        checks.add(bandwidth(m, t));
        checks.add(spinCheck(m, t));
        checks.add(reclaim(m));
        return new Verdict(List.copyOf(checks));
    }

    private static Status grade(double value, double failAbove) {
        return value > failAbove ? Status.FAIL : value > failAbove / 2 ? Status.WARN : Status.OK;
    }

    private static Map<String, Object> values(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Check load(Measurements m, Thresholds t) {
        if (Double.isNaN(m.load1())) {
            return new Check("load", Status.SKIP, "/proc/loadavg not readable", "", values("cores", m.cores()));
        }
        double perCore = m.load1() / m.cores();
        Status s = grade(perCore, t.maxLoadPerCore());
        String finding = String.format(Locale.ROOT, "1-minute load %.2f on %d cores (%.2f per core)", m.load1(), m.cores(), perCore);
        String fix = s == Status.OK ? "" : "the machine has been busy for the last minute: wait until the load falls below "
                + String.format(Locale.ROOT, "%.1f", t.maxLoadPerCore() / 2 * m.cores()) + " (it includes finished work, decaying)";
        return new Check("load", s, finding, fix, values("load1", m.load1(), "cores", m.cores(), "per_core", perCore));
    }

    private static Check busy(Measurements m, Thresholds t) {
        double total = m.others().stream().mapToDouble(BusyProcess::cores).sum();
        Status s = grade(total, t.maxBusyCores());
        List<BusyProcess> top = m.others().stream().filter(p -> p.cores() >= 0.02).limit(3).toList();
        String who = top.isEmpty() ? "" : ": " + top.stream()
                .map(p -> String.format(Locale.ROOT, "%s (pid %d) %.2f", p.name(), p.pid(), p.cores()))
                .collect(Collectors.joining(", "));
        String finding = String.format(Locale.ROOT, "other processes used %.2f of %d cores during the %.1f s check%s", total, m.cores(),
                m.windowSeconds(), who);
        String fix = s == Status.OK ? "" : "a measurement shares its cores with them: wait for them to finish or stop them"
                + (m.cores() <= 2 ? "; on 2 cores, at least run with 1 thread" : "");
        List<Map<String, Object>> list = top.stream()
                .map(p -> values("pid", p.pid(), "name", p.name(), "cores", p.cores())).toList();
        return new Check("busy", s, finding, fix, values("other_cores", total, "window_s", m.windowSeconds(), "top", list));
    }

    private static Check steal(Measurements m, Thresholds t) {
        if (Double.isNaN(m.steal())) {
            return new Check("steal", Status.SKIP, "no steal time in /proc/stat", "", values());
        }
        Status s = grade(m.steal(), t.maxSteal());
        String finding = String.format(Locale.ROOT, "the hypervisor took %.1f%% of this machine's CPU time during the check", 100 * m.steal());
        String fix = s == Status.OK ? "" : "other guests on the host run on these vCPUs' physical cores: nothing inside "
                + "this machine fixes that; measure at another time or on another host";
        return new Check("steal", s, finding, fix, values("steal", m.steal()));
    }

    private static Check governor(Measurements m) {
        if (m.governors().isEmpty()) {
            return new Check("governor", Status.SKIP, "no cpufreq in /sys (a virtual machine: the host sets the clock)", "",
                    values());
        }
        List<String> distinct = m.governors().stream().distinct().toList();
        boolean performance = distinct.equals(List.of("performance"));
        return new Check("governor", performance ? Status.OK : Status.WARN,
                "scaling governor " + String.join(",", distinct) + " on " + m.governors().size() + " CPUs",
                performance ? "" : "clock changes with load shift timings: sudo cpupower frequency-set -g performance",
                values("governors", distinct));
    }

    private static Check bandwidth(Measurements m, Thresholds t) {
        double[] v = m.bandwidthGbps();
        if (v.length < 2) {
            return new Check("bandwidth", Status.SKIP, "fewer than 2 memory-bandwidth probes", "", values());
        }
        double[] s = v.clone();
        Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        double spread = (s[s.length - 1] - s[0]) / median;
        Status st = grade(spread, t.maxBandwidthSpread());
        String finding = String.format(Locale.ROOT, "%d probes of %.0f ms: median %.2f GB/s, min %.2f, max %.2f, spread %.0f%%", v.length,
                Sentinel.DEFAULT_BUDGET_NANOS / 1e6, median, s[0], s[s.length - 1], 100 * spread);
        String fix = st == Status.OK ? "" : "memory bandwidth is shared with other work on this host: per-token times will drift; "
                + "pair baseline and emulated repeats closely and watch the sentinel";
        return new Check("bandwidth", st, finding, fix, values("median_gbps", median, "min_gbps", s[0], "max_gbps", s[s.length - 1],
                "spread", spread));
    }

    private static Check spinCheck(Measurements m, Thresholds t) {
        SpinGaps g = m.spin();
        double rate = g.gapsPerSecond();
        double maxMs = g.maxGapNanos() / 1e6;
        Status byRate = grade(rate, t.maxSpinGapsPerSecond());
        Status byMax = grade(maxMs, t.maxSpinGapMillis());
        Status s = byRate.compareTo(byMax) >= 0 ? byRate : byMax;
        String finding = String.format(Locale.ROOT, "a spinning thread lost its CPU for >%.0f us %d times in %.0f ms (%.0f/s), longest %.2f ms",
                g.gapThresholdNanos() / 1e3, g.gaps(), g.spinNanos() / 1e6, rate, maxMs);
        String fix = s == Status.OK ? "" : "the scheduler or the host takes the CPU away: every token that loses it waits that long; "
                + "stop other work, use fewer threads than cores";
        return new Check("spin", s, finding, fix, values("gaps", g.gaps(), "gaps_per_s", rate, "max_gap_ms", maxMs,
                "gap_threshold_us", g.gapThresholdNanos() / 1e3, "spin_ms", g.spinNanos() / 1e6));
    }

    private static Check reclaim(Measurements m) {
        if (m.pageCacheReclaim() == null) {
            return new Check("page-cache", Status.OK, "no kernel page-cache reclaimer (DAMON) is running", "", values());
        }
        return new Check("page-cache", Status.WARN, m.pageCacheReclaim(),
                "a model not kept loaded turns partly cold between runs: keep it loaded, or check its residency "
                        + "(PageCache.residentFraction) before a warm run", values("damon", m.pageCacheReclaim()));
    }

    /** Spins reading System.nanoTime() and counts the gaps between consecutive reads over {@code gapNanos}. */
    public static SpinGaps spin(long nanos, long gapNanos) {
        long start = System.nanoTime();
        long end = start + nanos;
        long prev = start;
        int gaps = 0;
        long max = 0;
        while (prev < end) {
            long now = System.nanoTime();
            long d = now - prev;
            if (d > gapNanos) {
                gaps++;
            }
            if (d > max) {
                max = d;
            }
            prev = now;
        }
        return new SpinGaps(prev - start, gapNanos, gaps, max);
    }

    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private static final double TICKS_PER_SECOND = 100.0;

    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** All CPUs' ticks from /proc/stat: {total, steal}; null when not readable. */
    static long[] cpuTicks() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = line.trim().split("\\s+");
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user and nice)
            for (int i = 1; i <= 8 && i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, f.length > 8 ? Long.parseLong(f[8]) : 0};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** utime + stime of every process but {@code self}, in clock ticks. */
    static Map<Long, Long> processTicks(long self) {
        Map<Long, Long> out = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : ds) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12])); // fields 14, 15: utime, stime
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to report
        }
        return out;
    }

    /** The process's command; a java process by its jar or main class (Maven as "mvn") and its working directory. */
    static String processName(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
            String[] args = new String(raw, java.nio.charset.StandardCharsets.UTF_8).split("\0");
            if (args.length == 0 || args[0].isEmpty()) {
                return "[" + Files.readString(proc.resolve("comm")).trim() + "]"; // a kernel thread
            }
            String cmd = Path.of(args[0]).getFileName().toString();
            if (!cmd.equals("java")) {
                return cmd;
            }
            String what = "java";
            for (int i = 1; i < args.length; i++) {
                if (args[i].equals("-jar") && i + 1 < args.length) {
                    what = "java -jar " + Path.of(args[i + 1]).getFileName();
                    break;
                }
                if (!args[i].startsWith("-") && !List.of("-cp", "-classpath", "--class-path", "--add-modules").contains(args[i - 1])) {
                    what = args[i].equals("org.codehaus.plexus.classworlds.launcher.Launcher") ? "mvn" : "java " + args[i];
                    break;
                }
            }
            try {
                return what + " in " + Files.readSymbolicLink(proc.resolve("cwd"));
            } catch (IOException | UnsupportedOperationException e) {
                return what;
            }
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static List<String> governors() {
        List<String> out = new ArrayList<>();
        Path cpus = Path.of("/sys/devices/system/cpu");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(cpus, p -> p.getFileName().toString().matches("cpu\\d+"))) {
            for (Path c : ds) {
                Path g = c.resolve("cpufreq/scaling_governor");
                if (Files.isReadable(g)) {
                    out.add(Files.readString(g).trim());
                }
            }
        } catch (IOException e) {
            // not exposed
        }
        return out;
    }

    /** A running DAMON context with a pageout scheme (sysfs admin interface), described; null when none. */
    static String pageCacheReclaim() {
        Path kd = Path.of("/sys/kernel/mm/damon/admin/kdamonds");
        if (!Files.isDirectory(kd)) {
            return null;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(kd, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path k : ds) {
                if (!read(k.resolve("state")).equals("on")) {
                    continue;
                }
                try (DirectoryStream<Path> ctxs = Files.newDirectoryStream(k.resolve("contexts"), p -> p.getFileName().toString().matches("\\d+"))) {
                    for (Path c : ctxs) {
                        try (DirectoryStream<Path> schemes = Files.newDirectoryStream(c.resolve("schemes"),
                                p -> p.getFileName().toString().matches("\\d+"))) {
                            for (Path s : schemes) {
                                if (read(s.resolve("action")).equals("pageout")) {
                                    String aggrUs = read(c.resolve("monitoring_attrs/intervals/aggr_us"));
                                    String minAge = read(s.resolve("access_pattern/age/min"));
                                    String age = "";
                                    try {
                                        age = String.format(Locale.ROOT, " idle for %.0f s or more",
                                                Long.parseLong(minAge) * Long.parseLong(aggrUs) / 1e6);
                                    } catch (NumberFormatException e) {
                                        // leave it out
                                    }
                                    return "the kernel's DAMON (kdamond " + k.getFileName() + ") pages out memory" + age
                                            + filters(s) + ", up to " + read(s.resolve("quotas/bytes")) + " bytes per "
                                            + read(s.resolve("quotas/reset_interval_ms")) + " ms";
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** A scheme's filters as " (anon: deny, unmapped: allow)", or "" when it has none. */
    private static String filters(Path scheme) {
        List<String> out = new ArrayList<>();
        for (String dir : List.of("ops_filters", "filters", "core_filters")) {
            Path d = scheme.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, p -> p.getFileName().toString().matches("\\d+"))) {
                for (Path f : ds) {
                    String type = read(f.resolve("type"));
                    boolean matching = read(f.resolve("matching")).equals("Y");
                    boolean allow = read(f.resolve("allow")).equals("Y");
                    out.add((matching ? "" : "not ") + type + ": " + (allow ? "allow" : "deny"));
                }
            } catch (IOException e) {
                // leave them out
            }
        }
        out.sort(null);
        return out.isEmpty() ? "" : " (" + String.join(", ", out) + ")";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
