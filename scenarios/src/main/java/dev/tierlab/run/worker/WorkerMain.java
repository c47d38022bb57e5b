package dev.tierlab.run.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.inference.gguf.GgufFormatException;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import dev.tierlab.run.Execution;
import dev.tierlab.run.ResultWriteException;
import dev.tierlab.run.ScenarioRunner;
import dev.tierlab.scenario.Scenario;
import dev.tierlab.scenario.ScenarioException;
import dev.tierlab.scenario.ScenarioLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The main class of a worker JVM. Modes:
 * <ul>
 *   <li>{@code run SCENARIO DIR SHARD_I SHARD_N CACHE CALIBRATION TERMINAL WORKLOAD WORKER_ID HOST_DRAM}:
 *       measures one workload of a run into DIR, announcing each repeat before it starts
 *       ({@code begin {header}}), then {@code done {...}}; an error the CLI would report in one line
 *       becomes {@code error {...}} and exit status {@value #EXIT_REPORTED}.
 *   <li>{@code load}: for each line {@code checked PATH} (tierlab's load: GGUF validation, then llama.cpp)
 *       or {@code raw PATH} (llama.cpp's loader alone) read from stdin, loads the file and frees it,
 *       answering {@code result {"file", "raw", "ok", "error"}}: a file that crashes llama.cpp kills only
 *       this worker.
 *   <li>{@code cli ARGS...}: a whole tierlab command ({@code bench --fork}), its stdout passed through.
 * </ul>
 * Protocol lines go to stdout; everything a user should see goes to stderr, which the supervisor forwards.
 */
public final class WorkerMain {

    /** Exit status of a worker that reported its error in an {@code error} line. */
    public static final int EXIT_REPORTED = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private WorkerMain() {
    }

    public static void main(String[] args) {
        PrintStream protocol = System.out;
        System.setOut(System.err); // stray prints must not look like protocol
        if (args.length > 0 && args[0].equals("cli")) {
            // a whole CLI command in this JVM (bench --fork): its stdout is the command's, not protocol
            System.setOut(protocol);
            CrashHook.fromSystemProperty().maybeCrash(0);
            System.exit(dev.tierlab.cli.TierlabCli.execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(args.length > 0 && args[0].equals("load") ? load(protocol) : run(args, protocol));
    }

    private static void send(PrintStream protocol, String kind, Object body) {
        try {
            protocol.println(WorkerProcess.MARK + kind + " " + JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        protocol.flush();
    }

    private static int run(String[] args, PrintStream protocol) {
        if (args.length != 11 || !args[0].equals("run")) {
            System.err.println("tierlab worker: expected run SCENARIO DIR SHARD_I SHARD_N CACHE CALIBRATION TERMINAL WORKLOAD WORKER_ID "
                    + "HOST_DRAM, got " + args.length + " arguments");
            return 2;
        }
        // The supervisor holds our stdin open; end of file means it is gone (even killed with SIGKILL),
        // and a worker without a supervisor must not go on writing into the run directory.
        Thread.ofPlatform().daemon().name("supervisor-watch").start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent in this mode
                }
            } catch (java.io.IOException ignored) {
                // closed: the same as end of file
            }
            System.err.println("tierlab worker: the supervising tierlab process is gone; stopping (finished repeats are kept)");
            Runtime.getRuntime().halt(4);
        });
        CrashHook crash = CrashHook.fromSystemProperty();
        ObjectNode error = JSON.createObjectNode();
        try {
            Path scenarioFile = Path.of(args[1]);
            Scenario s = ScenarioLoader.load(scenarioFile);
            PrintWriter err = new PrintWriter(System.err, true);
            ScenarioRunner runner = new ScenarioRunner(s, scenarioFile, new ScenarioRunner.Options(Path.of(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Path.of(args[5]), Path.of(args[6]), err, Boolean.parseBoolean(args[7]),
                    Execution.worker(Integer.parseInt(args[9]), args[8], Double.parseDouble(args[10]))));
            runner.onRepeatStart((header, resultsSoFar) -> {
                send(protocol, "begin", header);
                crash.maybeCrash(resultsSoFar);
            });
            ScenarioRunner.Outcome o = runner.run();
            err.flush();
            send(protocol, "done", Map.of("points", o.pointsRun(), "repeats", o.repeatsRun()));
            return 0;
        } catch (ScenarioException e) {
            error.put("kind", "bad-input");
            error.set("lines", JSON.valueToTree(e.problems()));
        } catch (SpecException e) {
            error.put("kind", "spec");
            error.put("field", e.field());
            error.put("message", e.reason()); // the supervisor rebuilds the exception from field and reason
        } catch (GgufFormatException e) {
            error.put("kind", "bad-input");
            error.set("lines", JSON.valueToTree(java.util.List.of(e.getMessage())));
        } catch (ResultWriteException e) {
            error.put("kind", "write");
            error.put("file", e.file().toString());
            error.put("message", e.getMessage());
        } catch (Exception e) {
            error.put("kind", "other");
            error.put("message", e.getClass().getSimpleName() + ": " + e.getMessage());
            if (System.getenv("TIERLAB_DEBUG") != null) {
                e.printStackTrace();
            }
        }
        send(protocol, "error", error);
        return EXIT_REPORTED;
    }

    private static int load(PrintStream protocol) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                // "checked PATH": tierlab's own load (GGUF validation, then llama.cpp); "raw PATH": llama.cpp's loader alone
                boolean raw = line.startsWith("raw ");
                String file = line.substring(line.indexOf(' ') + 1);
                send(protocol, "begin", Map.of("file", file, "raw", raw));
                ObjectNode r = JSON.createObjectNode();
                r.put("file", file);
                r.put("raw", raw);
                String error = null;
                try {
                    if (raw) {
                        error = LlamaCppEngine.loadUnvalidated(Path.of(file));
                    } else {
                        new LlamaCppEngine().load(Path.of(file)).close();
                    }
                } catch (Exception e) {
                    error = String.valueOf(e.getMessage());
                }
                r.put("ok", error == null);
                if (error != null) {
                    r.put("error", error);
                }
                send(protocol, "result", r);
            }
            return 0;
        } catch (java.io.IOException e) {
            System.err.println("tierlab worker: " + e.getMessage());
            return 1;
        }
    }
}
