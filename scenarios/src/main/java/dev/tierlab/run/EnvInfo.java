package dev.tierlab.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** The run conditions env.json records, read from /proc, /sys, the JVM and git. */
public final class EnvInfo {

    private EnvInfo() {
    }

    public static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", read(Path.of("/proc/sys/kernel/hostname")));
        m.put("cpu", firstLine(Path.of("/proc/cpuinfo"), "model name"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("governor", read(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")));
        m.put("kernel", read(Path.of("/proc/sys/kernel/osrelease")));
        m.put("memory_total_kib", firstNumber(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("jvm", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        m.put("tierlab_version", tierlabVersion());
        m.put("tierlab_git_sha", gitSha());
        m.put("omp_wait_policy", System.getenv("OMP_WAIT_POLICY"));
        m.put("slurm_job", slurmJob());
        return m;
    }

    /** Under Slurm, which job (and array task) on which nodes ran this; null elsewhere. */
    private static Map<String, String> slurmJob() {
        if (System.getenv("SLURM_JOB_ID") == null) {
            return null;
        }
        Map<String, String> job = new LinkedHashMap<>();
        for (String k : new String[] {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_JOB_NODELIST", "SLURM_CLUSTER_NAME"}) {
            job.put(k.substring("SLURM_".length()).toLowerCase(java.util.Locale.ROOT), System.getenv(k));
        }
        return job;
    }

    public static String loadAverage() {
        return read(Path.of("/proc/loadavg"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String firstLine(Path p, String prefix) {
        try {
            return Files.readAllLines(p).stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Long firstNumber(Path p, String prefix) {
        String l = firstLine(p, prefix);
        return l == null ? null : Long.parseLong(l.replaceAll("\\D", ""));
    }

    static String tierlabVersion() {
        Properties p = new Properties();
        try (InputStream in = EnvInfo.class.getResourceAsStream("/tierlab-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    /** The commit of the checkout the running jar was built in, if it is one. */
    static String gitSha() {
        try {
            Path jar = Path.of(EnvInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Process p = new ProcessBuilder("git", "-C", jar.getParent().toString(), "rev-parse", "HEAD")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }
}
