package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The doctor verb in-process: structure and exit codes, never timing values (thresholds force the verdicts). */
class DoctorCommandTest {

    static CliTest.Result run(String... args) {
        return CliTest.run(args);
    }

    static final String[] QUICK = {"doctor", "--spin-ms", "20", "--probes", "2"};
    static final String[] LENIENT = {"--max-load-per-core", "1000", "--max-busy-cores", "1000", "--max-bandwidth-spread", "1000",
        "--max-spin-gaps-per-s", "1e9", "--max-spin-gap-ms", "1e9", "--max-steal", "1"};
    static final List<String> CHECKS = List.of("load", "busy", "steal", "governor", "bandwidth", "spin", "page-cache");

    static String[] args(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] p : parts) {
            all.addAll(List.of(p));
        }
        return all.toArray(String[]::new);
    }

    /** The lenient thresholds but one option set to {@code value}. */
    static String[] lenientExcept(String option, String value) {
        List<String> all = new ArrayList<>(List.of(LENIENT));
        int i = all.indexOf(option);
        all.set(i + 1, value);
        return all.toArray(String[]::new);
    }

    @Test
    void aFailingCheckMakesExitOneAndTheVerdictNamesIt() {
        CliTest.Result r = run(args(QUICK, lenientExcept("--max-spin-gap-ms", "0")));
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(CHECKS.size() + 1, lines.size(), r.out());
        for (int i = 0; i < CHECKS.size(); i++) {
            assertTrue(lines.get(i).startsWith(CHECKS.get(i) + " "), lines.get(i));
            assertTrue(lines.get(i).matches("\\S+ +(OK|WARN|FAIL|SKIP) +\\S.*"), lines.get(i));
        }
        String spin = lines.get(CHECKS.indexOf("spin"));
        assertTrue(spin.matches("spin +FAIL .* -> .*"), "failing, with what to fix: " + spin);
        assertEquals("verdict: NOT TRUSTWORTHY (spin)", lines.getLast().replaceAll(";.*|: meas.*", ""), lines.getLast());
    }

    @Test
    void lenientThresholdsPassAndExitZero() {
        CliTest.Result r = run(args(QUICK, LENIENT));
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().strip().lines().toList().getLast().startsWith("verdict: TRUSTWORTHY"), r.out());
        assertFalse(r.out().contains(" FAIL "), r.out());
    }

    @Test
    void jsonHasEveryCheckAndAVerdictThatAgreesWithTheExitCode() throws IOException {
        for (String[] extra : List.of(LENIENT, lenientExcept("--max-bandwidth-spread", "0"))) {
            CliTest.Result r = run(args(new String[] {"doctor", "--spin-ms", "20", "--probes", "3", "--json"}, extra));
            JsonNode root = new ObjectMapper().readTree(r.out());
            assertEquals(r.exit() == 0, root.get("trustworthy").asBoolean(), r.out());
            List<String> names = new ArrayList<>();
            root.get("checks").forEach(c -> names.add(c.get("name").asText()));
            assertEquals(CHECKS, names);
            for (JsonNode c : root.get("checks")) {
                assertTrue(Set.of("OK", "WARN", "FAIL", "SKIP").contains(c.get("status").asText()), c.toString());
                assertTrue(c.has("finding") && c.has("fix") && c.get("values").isObject(), c.toString());
            }
            List<String> failing = new ArrayList<>();
            root.get("failing").forEach(n -> failing.add(n.asText()));
            assertEquals(r.exit() == 0, failing.isEmpty());
            if (extra != LENIENT) {
                assertEquals(1, r.exit(), "a spread of exactly 0 over 3 probes would be a miracle: " + r.out());
                assertEquals(List.of("bandwidth"), failing, r.out());
                assertEquals(0.0, root.get("thresholds").get("max_bandwidth_spread").asDouble());
            }
        }
    }

    @Test
    void helpAndBadInput() {
        CliTest.Result help = run("doctor", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Usage: tierlab doctor"), help.out());
        assertTrue(help.out().contains("(default: 0.25)"), help.out());
        CliTest.Result bad = run("doctor", "--max-busy-cores", "-1");
        assertEquals(2, bad.exit(), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().contains("must not be negative"), bad.err());
        assertEquals(2, run("doctor", "--spin-ms", "0").exit());
    }
}
