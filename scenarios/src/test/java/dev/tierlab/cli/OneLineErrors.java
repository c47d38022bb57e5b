package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The bad-input contract, checked on the real CLI entry point in-process: exit code 2, exactly one
 * line on stderr that names the bad file (or flag) and the field, nothing on stdout, no stack trace.
 */
final class OneLineErrors {

    /** "IllegalStateException: ..." is what an unexpected exception looks like in the CLI's output. */
    private static final Pattern EXCEPTION_NAME = Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b");

    private OneLineErrors() {
    }

    static CliTest.Result run(String... args) {
        return CliTest.run(args);
    }

    /** Runs {@code args} and checks the contract; the line must contain {@code what} and every {@code expected}. */
    static String assertOneLine(String what, String[] args, String... expected) {
        CliTest.Result r = run(args);
        String context = String.join(" ", args) + "\nstdout: " + r.out() + "\nstderr: " + r.err();
        assertEquals(2, r.exit(), "exit code; " + context);
        assertEquals(1, r.errLines().size(), "exactly one line on stderr; " + context);
        String line = r.errLines().getFirst();
        assertNoStackTrace(line, r.err(), context);
        assertTrue(line.contains(what), "names " + what + "; " + context);
        // what the line says, without the file name (a case named "negative offset" must not pass on its name)
        String said = line.replace(what, "");
        for (String e : expected) {
            assertTrue(said.contains(e), "says '" + e + "'; " + context);
        }
        assertEquals("", r.out(), "nothing on stdout; " + context);
        return line;
    }

    static String assertOneLine(Path file, String[] args, String... expected) {
        return assertOneLine(file.toString(), args, expected);
    }

    /**
     * A bad scenario, checked through both verbs that read one: {@code run --dry-run} prints the one
     * problem line; {@code validate} prints the same line and then its "FILE: 1 problem" summary.
     * {@code field} must follow the file's "file:line:column: " location, unless {@code located} is false.
     */
    static void assertBadScenario(Path file, String field, boolean located, String... expected) {
        String prefix = Pattern.quote(file.toString()) + (located ? ":\\d+:\\d+: " : "(:\\d+:\\d+)?: ");
        String line = assertOneLine(file, new String[] {"run", "--dry-run", file.toString()}, expected);
        assertTrue(Pattern.compile("^" + prefix + ".*" + Pattern.quote(field)).matcher(line).find(),
                "'" + line + "' starts with " + file + (located ? ":LINE:COL" : "") + " and names " + field);

        CliTest.Result v = run("validate", file.toString());
        String context = "validate " + file + "\nstdout: " + v.out() + "\nstderr: " + v.err();
        assertEquals(2, v.exit(), context);
        assertEquals(List.of(line, file + ": 1 problem"), v.errLines(), context);
        assertNoStackTrace(line, v.err(), context);
    }

    private static void assertNoStackTrace(String line, String err, String context) {
        assertFalse(err.contains("\tat ") || err.contains("TIERLAB_DEBUG"), "no stack trace; " + context);
        assertFalse(EXCEPTION_NAME.matcher(line).find(), "no exception class name; " + context);
    }
}
