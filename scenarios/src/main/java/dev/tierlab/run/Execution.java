package dev.tierlab.run;

/**
 * Where a run's engines execute.
 *
 * <ul>
 *   <li>{@code IN_PROCESS}: in the JVM that runs the CLI (a native crash ends the run; tests and
 *       {@code tierlab run --in-process}).
 *   <li>{@code SUPERVISED} (the default of {@code tierlab run}): this JVM keeps the run directory and
 *       launches one worker JVM per workload, as JMH forks; a worker that dies (a signal, an abort, an
 *       {@code hs_err}) or overruns {@code repeatTimeoutSeconds} on one repeat becomes a failed line
 *       and a fresh worker carries on.
 *   <li>{@code WORKER}: inside such a worker: measure {@code workload} only, stamping rows with
 *       {@code workerId}, with the supervisor's measure of this host's DRAM bandwidth (NaN when the run
 *       needs none), so that every worker uses the figure env.json states.
 * </ul>
 */
public record Execution(Mode mode, int workerId, String workload, long repeatTimeoutSeconds, double hostDramBytesPerSecond) {

    public enum Mode { IN_PROCESS, SUPERVISED, WORKER }

    /** A repeat (or a configuration's warm-up) that runs longer than this in a worker is killed, by default. */
    public static final long DEFAULT_REPEAT_TIMEOUT_SECONDS = 600;

    public Execution {
        if (repeatTimeoutSeconds < 1) {
            throw new IllegalArgumentException("repeatTimeoutSeconds must be >= 1, got " + repeatTimeoutSeconds);
        }
    }

    public static Execution inProcess() {
        return new Execution(Mode.IN_PROCESS, 0, null, DEFAULT_REPEAT_TIMEOUT_SECONDS, Double.NaN);
    }

    public static Execution supervised(long repeatTimeoutSeconds) {
        return new Execution(Mode.SUPERVISED, 0, null, repeatTimeoutSeconds, Double.NaN);
    }

    public static Execution worker(int workerId, String workload, double hostDramBytesPerSecond) {
        return new Execution(Mode.WORKER, workerId, workload, DEFAULT_REPEAT_TIMEOUT_SECONDS, hostDramBytesPerSecond);
    }
}
