package dev.tierlab.run.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.run.ResultWriteException;
import dev.tierlab.run.RunDirectory;
import dev.tierlab.run.ScenarioRunner;
import dev.tierlab.scenario.ScenarioException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The supervising side of {@code tierlab run}: one worker JVM per workload (reused across all its points
 * and repeats, so JIT and page-cache warmup are paid once per workload, as a JMH fork). The worker runs
 * the measurement protocol and appends each finished repeat; this side watches it. When a worker dies
 * (a signal, an abort, a JVM crash with hs_err) or a repeat overruns its deadline, the repeat it had
 * announced becomes a {@code "status": "failed"} line with the signal and the worker's last lines, and
 * a fresh worker resumes the workload. Two workers in a row that die before finishing any repeat end
 * that workload (a deterministic crash at load or warm-up would otherwise loop).
 */
public final class WorkerSupervisor {

    /** What the workers did: points covered and lines written (failed ones included). */
    public record Tally(int pointsRun, int repeatsRun) {
    }

    /** A worker error that is neither bad input nor a failed write, reported as the worker said it. */
    public static final class WorkerException extends RuntimeException {
        public WorkerException(String message) {
            super(message);
        }
    }

    private static final String INCUBATOR_WARNING = "WARNING: Using incubator modules";

    private final Path scenarioFile;
    private final ScenarioRunner.Options options;
    private final double hostDram;
    private final Path errorDir;
    private final PrintWriter err;
    private volatile WorkerProcess current;
    private volatile boolean stopping;
    private int lastWorkerId;

    public WorkerSupervisor(Path scenarioFile, ScenarioRunner.Options options, double hostDram) {
        this.scenarioFile = scenarioFile;
        this.options = options;
        this.hostDram = hostDram;
        this.errorDir = options.out().resolve("workers");
        this.err = options.err();
    }

    /** Runs each workload in its own workers, in order. */
    public Tally run(Map<String, List<dev.tierlab.scenario.SweepPlanner.Point>> workloads) throws IOException {
        RunDirectory dir = RunDirectory.open(options.out());
        // a resumed run numbers its workers after the ones it already has
        lastWorkerId = dir.lines().stream().mapToInt(n -> n.path("worker").asInt(0)).max().orElse(0);
        int points = 0;
        int repeats = 0;
        for (var e : workloads.entrySet()) {
            int emptyDeaths = 0;
            while (!stopping) {
                int before = RunDirectory.open(options.out()).resultCount();
                Attempt a = attempt(e.getKey());
                int after = RunDirectory.open(options.out()).resultCount();
                repeats += after - before;
                if (stopping) {
                    awaitShutdown();
                }
                if (a == null) {
                    break;
                }
                emptyDeaths = after > before ? 0 : emptyDeaths + 1;
                repeats += recordFailure(a, e.getValue().getFirst());
                if (emptyDeaths >= 2) {
                    err.printf("tierlab: workload %s: two workers in a row died before finishing a repeat; its remaining repeats are "
                            + "not run (the failures are in results.jsonl and the report)%n", e.getKey());
                    break;
                }
            }
            points += e.getValue().size();
        }
        return new Tally(points, repeats);
    }

    /**
     * After Ctrl-C the JVM is shutting down and our hook has stopped the worker and said how to resume:
     * this thread must not go on to write env.json or a report of a run cut short, so it waits for the halt.
     */
    private static void awaitShutdown() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // the JVM halts after its shutdown hooks; nothing else wakes this thread
            }
        }
    }

    /** A worker that died: what it was running (null before its first repeat), how it died, and whether by deadline. */
    private record Attempt(int workerId, JsonNode pending, WorkerProcess.Death death, boolean deadline) {
    }

    /** Runs one worker on the workload to its end; returns null if it finished (or we are stopping), else its failure. */
    private Attempt attempt(String workload) throws IOException {
        int id = ++lastWorkerId;
        List<String> args = List.of("run", scenarioFile.toAbsolutePath().toString(), options.out().toAbsolutePath().toString(),
                String.valueOf(options.shardIndex()), String.valueOf(options.shardCount()), options.cacheDir().toAbsolutePath().toString(),
                options.calibrationFile().toAbsolutePath().toString(), String.valueOf(options.terminal()), workload, String.valueOf(id),
                String.valueOf(hostDram));
        WorkerProcess w = WorkerProcess.start(args, errorDir, this::forward);
        current = w;
        JsonNode pending = null;
        JsonNode error = null;
        boolean deadline = false;
        long timeout = options.execution().repeatTimeoutSeconds();
        try {
            while (true) {
                WorkerProcess.Event ev = w.next(timeout, TimeUnit.SECONDS);
                if (ev == null) {
                    deadline = true;
                    w.kill();
                    break;
                }
                switch (ev.kind()) {
                    case "begin" -> pending = ev.body();
                    case "done" -> pending = null;
                    case "error" -> error = ev.body();
                    default -> { }
                }
                if (ev.kind().equals("eof")) {
                    break;
                }
            }
            WorkerProcess.Death death = w.death();
            if (stopping) {
                return null;
            }
            if (error != null) {
                throw rethrow(error);
            }
            if (!death.crashed() && !deadline) {
                return null;
            }
            if (!deadline && (death.exitStatus() == 128 + 2 || death.exitStatus() == 128 + 15)) {
                Thread.sleep(300); // a Ctrl-C reaches the worker and this JVM together: let our hook say so
                if (stopping) {
                    return null;
                }
                throw new WorkerException("worker %d was stopped by %s; the finished repeats are kept (continue with: tierlab run %s --resume %s)"
                        .formatted(id, death.signal(), scenarioFile, options.out()));
            }
            return new Attempt(id, pending, death, deadline);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            w.kill();
            return null;
        } finally {
            w.close();
            current = null;
        }
    }

    /** Writes the failed line for a dead worker and says so on stderr; returns the lines written (1). */
    private int recordFailure(Attempt a, dev.tierlab.scenario.SweepPlanner.Point firstOfWorkload) throws IOException {
        RunDirectory dir = RunDirectory.open(options.out());
        Map<String, Object> row = new LinkedHashMap<>();
        JsonNode pending = a.pending();
        if (pending != null && dir.hasResult(pending.path("point_id").asText(), pending.path("role").asText(),
                pending.path("repeat").asInt(0))) {
            // it died after writing the repeat it announced (between repeats): the failure is the worker's, not that repeat's
            Map<String, Object> between = new LinkedHashMap<>();
            pending.fields().forEachRemaining(f -> between.put(f.getKey(), f.getValue()));
            between.remove("pair");
            between.put("role", "between");
            pending = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(between);
            a = new Attempt(a.workerId(), pending, a.death(), a.deadline());
        }
        if (a.pending() != null) {
            a.pending().fields().forEachRemaining(f -> row.put(f.getKey(), f.getValue()));
        } else {
            row.put("point", new LinkedHashMap<>(firstOfWorkload.axes()));
            row.put("point_id", firstOfWorkload.id());
            row.put("point_index", firstOfWorkload.index());
            row.put("role", "startup");
        }
        String role = a.pending() == null ? "startup" : a.pending().path("role").asText();
        String pointId = a.pending() == null ? firstOfWorkload.id() : a.pending().path("point_id").asText();
        int repeat = a.pending() == null ? 0 : a.pending().path("repeat").asInt(0);
        while (dir.hasResult(pointId, role, repeat)) {
            repeat++; // a second failed warm-up or start of the same workload
        }
        row.put("repeat", repeat);
        row.put("status", "failed");
        row.put("worker", a.workerId());
        Map<String, Object> failure = new LinkedHashMap<>();
        WorkerProcess.Death d = a.death();
        failure.put("cause", a.deadline() ? "deadline" : d.signal() != null ? "signal" : "exit");
        if (a.deadline()) {
            failure.put("deadline_s", options.execution().repeatTimeoutSeconds());
        }
        failure.put("signal", a.deadline() ? "SIGKILL" : d.signal());
        failure.put("exit_status", d.exitStatus());
        failure.put("hs_err", d.hsErr() == null ? null : options.out().relativize(d.hsErr()).toString());
        if (d.frame() != null) {
            failure.put("frame", d.frame());
        }
        failure.put("stderr_tail", d.tail());
        row.put("failure", failure);
        dir.addResult(row);
        String what = a.pending() == null ? "before its first repeat" : "in %s %s%s".formatted(pointId, role,
                row.containsKey("pair") ? " pair " + row.get("pair") : "");
        err.printf("%ntierlab: worker %d %s %s; recorded as a failed repeat, continuing with a fresh worker%n", a.workerId(),
                a.deadline() ? "overran its %d s deadline".formatted(options.execution().repeatTimeoutSeconds()) : "died of " + d.describe(),
                what);
        err.flush();
        return 1;
    }

    private static RuntimeException rethrow(JsonNode error) throws IOException {
        switch (error.path("kind").asText()) {
            case "bad-input" -> {
                List<String> lines = new ArrayList<>();
                error.path("lines").forEach(l -> lines.add(l.asText()));
                return new ScenarioException(lines);
            }
            case "spec" -> {
                return new SpecException(error.path("field").asText(), error.path("message").asText());
            }
            case "write" -> {
                Path file = Path.of(error.path("file").asText());
                String msg = error.path("message").asText();
                String prefix = file + ": ";
                throw new ResultWriteException(file, new IOException(msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg));
            }
            default -> {
                return new WorkerException(error.path("message").asText("the worker failed"));
            }
        }
    }

    private void forward(String chunk) {
        if (chunk.startsWith(INCUBATOR_WARNING)) {
            return; // every worker JVM prints it; the user saw this JVM's
        }
        err.print(chunk);
        err.flush();
    }

    /** The shutdown hook (Ctrl-C): stops the running worker, which keeps what it finished, and says how to continue. */
    public void interrupted() {
        stopping = true;
        WorkerProcess w = current;
        try {
            if (w != null && w.alive()) {
                w.stop(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int kept;
        try {
            kept = RunDirectory.open(options.out()).resultCount();
        } catch (IOException e) {
            kept = -1;
        }
        err.printf("%ntierlab: interrupted; %d finished repeats are kept in %s (continue with: tierlab run %s --resume %s)%n", kept,
                options.out(), scenarioFile, options.out());
        err.flush();
    }
}
