package dev.tierlab.run.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One worker JVM, as a JMH fork: the same java binary, class path and JVM flags as this JVM (native
 * access, the incubator vector module, heap), with crash files kept in a directory of the caller's
 * choosing. Its stdout carries protocol lines ({@value #MARK}{@code kind {json}}); anything else
 * it prints there, and all of its stderr, is kept as the tail that a failure reports. Its stderr is
 * also forwarded as it comes, so a worker's progress line shows as if the parent printed it.
 */
public final class WorkerProcess implements AutoCloseable {

    /** Prefix of a protocol line on a worker's stdout; native code printing there cannot be mistaken for one. */
    public static final String MARK = "@tierlab-worker ";
    /** System properties with this prefix are handed to workers (the test-only crash hook is one). */
    public static final String PROPERTY_PREFIX = "tierlab.worker.";
    private static final int TAIL_LINES = 30; // a JVM crash banner alone is about 15
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HS_ERR_SIGNAL = Pattern.compile("#\\s+(SIG[A-Z]+) \\(0x[0-9a-f]+\\)");
    private static final Map<Integer, String> SIGNALS = Map.ofEntries(Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"), Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"),
            Map.entry(8, "SIGFPE"), Map.entry(9, "SIGKILL"), Map.entry(11, "SIGSEGV"), Map.entry(13, "SIGPIPE"),
            Map.entry(15, "SIGTERM"), Map.entry(24, "SIGXCPU"), Map.entry(25, "SIGXFSZ"));

    /** A protocol line: its kind ("begin", "done", "error", "result", ...) and body; kind "eof" when stdout closed. */
    public record Event(String kind, JsonNode body) {
    }

    /**
     * How a worker ended: its exit status (128 + n for a signal n, as the JVM's Process reports it), the
     * signal by name (from its hs_err file when the JVM wrote one, since the JVM then exits with 1 or
     * aborts), the hs_err file and the frame it names ("C  [libllama.so+0x1234]  llama_decode+0x56"), and
     * the last lines it printed.
     */
    public record Death(int exitStatus, String signal, Path hsErr, String frame, List<String> tail) {
        public boolean crashed() {
            return exitStatus != 0;
        }

        /** "SIGSEGV (hs_err: DIR/hs_err_pid12.log)", "SIGKILL", or "exit status 3". */
        public String describe() {
            String what = signal != null ? signal : "exit status " + exitStatus;
            return hsErr != null ? what + " (hs_err: " + hsErr + ")" : what;
        }
    }

    private final Process process;
    private final Path errorDir;
    private final Deque<String> tail = new ArrayDeque<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread outPump;
    private final Thread errPump;
    private final Writer stdin;

    private WorkerProcess(Process process, Path errorDir, Consumer<String> stderr) {
        this.process = process;
        this.errorDir = errorDir;
        this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        outPump = Thread.ofPlatform().daemon().name("worker-" + process.pid() + "-out").start(this::pumpOut);
        errPump = Thread.ofPlatform().daemon().name("worker-" + process.pid() + "-err").start(() -> pumpErr(stderr));
    }

    /**
     * Launches {@code WorkerMain args...}; its hs_err (and replay) files go to {@code errorDir}, never the
     * working directory, and it writes no core file.
     */
    public static WorkerProcess start(List<String> args, Path errorDir, Consumer<String> stderr) throws IOException {
        Files.createDirectories(errorDir);
        ProcessBuilder pb = new ProcessBuilder(command(errorDir, args));
        return new WorkerProcess(pb.start(), errorDir, stderr);
    }

    static List<String> command(Path errorDir, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // a debugger or coverage agent belongs to this JVM; where crash files go is decided below
            if (!a.startsWith("-agentlib:") && !a.startsWith("-javaagent:") && !a.startsWith("-Xrunjdwp") && !a.startsWith("-XX:ErrorFile")
                    && !a.startsWith("-XX:ReplayDataFile") && !a.startsWith("-D" + PROPERTY_PREFIX)) {
                cmd.add(a);
            }
        }
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(PROPERTY_PREFIX)).sorted()
                .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        Path dir = errorDir.toAbsolutePath();
        cmd.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
        cmd.add("-XX:ReplayDataFile=" + dir.resolve("replay_pid%p.log"));
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WorkerMain.class.getName());
        cmd.addAll(args);
        return cmd;
    }

    public long pid() {
        return process.pid();
    }

    /** Sends one line to the worker's stdin. */
    public void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    /** Closes the worker's stdin (a worker reading requests then finishes). */
    public void closeInput() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // the worker is gone; its death says why
        }
    }

    /** The next protocol line, or null when none came within the timeout; kind "eof" once the worker closed stdout. */
    public Event next(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    /** Kills the worker outright (SIGKILL): for a deadline overrun, or a worker that would not stop. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Asks the worker to stop (SIGTERM); it keeps every repeat it finished. */
    public boolean stop(long timeout, TimeUnit unit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout, unit)) {
            process.destroyForcibly();
            return process.waitFor(timeout, unit);
        }
        return true;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits for the worker to end and says how it ended. */
    public Death death() throws InterruptedException {
        int status = process.waitFor();
        outPump.join(5_000);
        errPump.join(5_000);
        Path hsErr = errorDir.resolve("hs_err_pid" + process.pid() + ".log");
        String signal = status > 128 && status < 128 + 65 ? SIGNALS.getOrDefault(status - 128, "signal " + (status - 128)) : null;
        String frame = null;
        if (Files.exists(hsErr)) {
            signal = hsErrSignal(hsErr).orElse(signal);
            frame = hsErrFrame(hsErr).orElse(null);
        } else {
            hsErr = null;
        }
        synchronized (tail) {
            return new Death(status, signal, hsErr, frame, List.copyOf(tail));
        }
    }

    /** The line after "# Problematic frame:" in an hs_err file, without its "# ". */
    static Optional<String> hsErrFrame(Path hsErr) {
        try {
            List<String> lines = Files.readAllLines(hsErr, StandardCharsets.ISO_8859_1);
            for (int i = 0; i + 1 < lines.size() && i < 60; i++) {
                if (lines.get(i).startsWith("# Problematic frame:")) {
                    return Optional.of(lines.get(i + 1).replaceFirst("^#\\s*", "").strip());
                }
            }
        } catch (IOException e) {
            // an unreadable report: the signal alone says enough
        }
        return Optional.empty();
    }

    /** "SIGSEGV" for 11, "signal 42" for one without a name here. */
    static String signalName(int signal) {
        return SIGNALS.getOrDefault(signal, "signal " + signal);
    }

    /** The signal an hs_err file says the JVM died of ("#  SIGSEGV (0xb) at pc=..."). */
    static Optional<String> hsErrSignal(Path hsErr) {
        try (var lines = Files.lines(hsErr, StandardCharsets.ISO_8859_1)) {
            return lines.limit(40).map(HS_ERR_SIGNAL::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        closeInput();
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private void keep(String line) {
        if (line.isBlank()) {
            return;
        }
        synchronized (tail) {
            tail.addLast(line.strip());
            while (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
        }
    }

    private void pumpOut() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(MARK)) {
                    String rest = line.substring(MARK.length());
                    int sp = rest.indexOf(' ');
                    try {
                        events.add(new Event(sp < 0 ? rest : rest.substring(0, sp), sp < 0 ? JSON.createObjectNode()
                                : JSON.readTree(rest.substring(sp + 1))));
                    } catch (IOException e) {
                        keep(line);
                    }
                } else {
                    keep(line); // the JVM's own crash banner goes to stdout
                }
            }
        } catch (IOException ignored) {
            // the worker died; its death says how
        } finally {
            events.add(new Event("eof", JSON.createObjectNode()));
        }
    }

    /** Forwards stderr as it comes (a progress line ends in \r); keeps its finished lines for the tail. */
    private void pumpErr(Consumer<String> stderr) {
        try (Reader r = new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = r.read()) >= 0) {
                sb.append((char) c);
                if (c == '\n' || c == '\r') {
                    String chunk = sb.toString();
                    sb.setLength(0);
                    if (c == '\n') {
                        keep(chunk);
                    }
                    stderr.accept(chunk);
                }
            }
            if (!sb.isEmpty()) {
                keep(sb.toString());
                stderr.accept(sb.toString());
            }
        } catch (IOException ignored) {
            // the worker died; its death says how
        }
    }
}
