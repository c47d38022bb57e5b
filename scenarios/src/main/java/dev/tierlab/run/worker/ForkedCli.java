package dev.tierlab.run.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A whole CLI command run in a worker JVM ({@code tierlab bench --fork}): its output and its stderr are
 * passed through as they come, and its exit code is returned. If the worker dies of a signal (a crash
 * in llama.cpp, an abort), this JVM says so in one line, with the JVM's crash report (kept in a temp
 * directory, never the working directory) and the worker's last line, and returns 1.
 */
public final class ForkedCli {

    private ForkedCli() {
    }

    public static int run(List<String> args, PrintWriter out, PrintWriter err) throws IOException {
        Path errorDir = Files.createTempDirectory("tierlab-worker-");
        List<String> cmd = new java.util.ArrayList<>(List.of("cli"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(WorkerProcess.command(errorDir, cmd)).start();
        p.getOutputStream().close();
        Deque<String> tail = new ArrayDeque<>();
        Thread o = Thread.ofPlatform().daemon().start(() -> pump(p.getInputStream(), out, null));
        Thread e = Thread.ofPlatform().daemon().start(() -> pump(p.getErrorStream(), err, tail));
        try {
            int status = p.waitFor();
            o.join(5_000);
            e.join(5_000);
            Path hsErr = errorDir.resolve("hs_err_pid" + p.pid() + ".log");
            boolean crashed = Files.exists(hsErr); // a JVM crash exits with 1 (no core dump) or SIGABRT
            if (status <= 128 && !crashed) {
                return status;
            }
            String signal = (crashed ? WorkerProcess.hsErrSignal(hsErr) : java.util.Optional.<String>empty())
                    .orElse(status > 128 ? WorkerProcess.signalName(status - 128) : "a JVM crash");
            String where = crashed ? WorkerProcess.hsErrFrame(hsErr).map(f -> " in " + f).orElse("") : "";
            String last;
            synchronized (tail) {
                last = tail.stream().filter(l -> !l.isBlank() && !l.startsWith("#")).reduce((a, b) -> b).orElse("");
            }
            err.printf("tierlab: %s: the worker JVM died of %s%s%s%s; tests not yet printed did not finish%n", args.getFirst(), signal, where,
                    crashed ? " (crash report: " + hsErr + ")" : "", last.isEmpty() ? "" : "; its last line: " + last.strip());
            err.flush();
            return 1;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return 1;
        } finally {
            try (var s = Files.list(errorDir)) {
                if (s.findAny().isEmpty()) {
                    Files.deleteIfExists(errorDir);
                }
            }
        }
    }

    private static void pump(InputStream in, PrintWriter to, Deque<String> tail) {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = r.read()) >= 0) {
                line.append((char) c);
                if (c == '\n' || c == '\r') {
                    String s = line.toString();
                    line.setLength(0);
                    if (tail != null) {
                        if (s.startsWith("WARNING: Using incubator modules")) {
                            continue; // this JVM printed it already
                        }
                        synchronized (tail) {
                            tail.addLast(s);
                            while (tail.size() > 30) {
                                tail.removeFirst();
                            }
                        }
                    }
                    to.print(s);
                    to.flush();
                }
            }
            to.print(line);
            to.flush();
        } catch (IOException ignored) {
            // the worker is gone; its exit status says how
        }
    }
}
