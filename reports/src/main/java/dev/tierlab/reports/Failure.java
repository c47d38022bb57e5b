package dev.tierlab.reports;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A repeat that did not finish: its worker JVM died (a signal, an abort, a JVM crash with an hs_err
 * file) or overran its deadline. It is a line of results.jsonl with {@code "status": "failed"}; it
 * holds no measurement, so curves never see it, and the report lists it.
 *
 * @param role       baseline, emulated, warmup, startup (the worker died before its first repeat) or between (after one)
 * @param pair       the pair it belonged to, -1 where none
 * @param cause      signal, exit or deadline
 * @param signal     e.g. SIGSEGV (from the hs_err file when the JVM wrote one), or null
 * @param hsErr      the JVM's crash report, relative to the run directory, or null
 * @param frame      the frame the crash report names (e.g. {@code C  [libllama.so+0x1234]}), or null
 * @param stderrTail the worker's last lines
 */
public record Failure(String pointId, String role, int pair, int repeat, int worker, String cause, String signal, int exitStatus,
        String hsErr, String frame, List<String> stderrTail) {

    public Failure {
        stderrTail = List.copyOf(stderrTail);
    }

    static Failure of(JsonNode n) {
        JsonNode f = n.path("failure");
        List<String> tail = new ArrayList<>();
        f.path("stderr_tail").forEach(l -> tail.add(l.asText()));
        return new Failure(n.path("point_id").asText(), n.path("role").asText(""), n.path("pair").isNumber() ? n.get("pair").asInt() : -1,
                n.path("repeat").asInt(), n.path("worker").asInt(0), f.path("cause").asText("unknown"), text(f.path("signal")),
                f.path("exit_status").asInt(0), text(f.path("hs_err")), text(f.path("frame")), tail);
    }

    private static String text(JsonNode v) {
        return v.isTextual() ? v.asText() : null;
    }

    /** "SIGSEGV", "deadline overrun (SIGKILL)", or "exit status 1". */
    public String what() {
        return switch (cause) {
            case "deadline" -> "deadline overrun (killed)";
            case "signal" -> signal;
            default -> "exit status " + exitStatus;
        };
    }

    /** The crash report's problematic frame, else the worker's last line that says something (a GGML_ASSERT), or "". */
    public String lastLine() {
        if (frame != null) {
            return frame;
        }
        for (int i = stderrTail.size() - 1; i >= 0; i--) {
            String l = stderrTail.get(i).strip();
            if (!l.isEmpty() && !l.equals("#")) {
                return l;
            }
        }
        return "";
    }
}
