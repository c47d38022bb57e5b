package dev.tierlab.cli;

import static dev.tierlab.cli.OneLineErrors.assertOneLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad command lines that get exit code 2 today but not one line: picocli's default handler prints
 * the error and then the whole usage text, and {@code bench -e} does not name its flag.
 */
@Disabled("needs lead's TierlabCli change: a parameter-exception handler that prints one line "
        + "('tierlab: <picocli message>; see tierlab <verb> --help') instead of the usage text, "
        + "and Engines.byName naming -e / engine")
class CliUsageGapsTest {

    @TempDir
    Path dir;

    @Test
    void inspectWithoutAFile() {
        assertOneLine("FILE", new String[] {"model", "inspect"}, "Missing required parameter");
    }

    @Test
    void unknownOption() {
        assertOneLine("--bogus", new String[] {"bench", "--bogus"}, "Unknown option");
    }

    @Test
    void optionValueOfTheWrongType() {
        assertOneLine("--repetitions", new String[] {"bench", "-r", "abc"}, "'abc'");
    }

    @Test
    void unknownVerb() {
        assertOneLine("bogusverb", new String[] {"bogusverb"});
    }

    @Test
    void runWithoutAScenario() {
        assertOneLine("SCENARIO.yaml", new String[] {"run", "--dry-run"}, "Missing required parameter");
    }

    @Test
    void validateWithTwoScenarios() throws IOException {
        Path a = Files.writeString(dir.resolve("a.yaml"), "name: a\n");
        assertOneLine("b.yaml", new String[] {"validate", a.toString(), dir.resolve("b.yaml").toString()}, "Unmatched argument");
    }

    /** One line and exit 2 already, but "unknown engine 'vllm'" does not say which flag. */
    @Test
    void unknownEngineNamesTheFlag() throws IOException {
        Path model = BadGgufs.valid(BadGgufs.MICRO, dir.resolve("micro.gguf"));
        assertOneLine("-e", new String[] {"bench", "-m", model.toString(), "-e", "vllm", "-p", "0", "-n", "1"}, "'vllm'");
    }
}
