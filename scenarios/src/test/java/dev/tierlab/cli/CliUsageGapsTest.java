package dev.tierlab.cli;

import static dev.tierlab.cli.OneLineErrors.assertOneLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad command lines that picocli rejects: each is one line ("tierlab: the error; see tierlab VERB
 * --help") with exit 2, not picocli's default of the error followed by the whole usage text.
 */
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

    /** "unknown engine 'vllm'" says which flag it came from. */
    @Test
    void unknownEngineNamesTheFlag() throws IOException {
        Path model = BadGgufs.valid(BadGgufs.MICRO, dir.resolve("micro.gguf"));
        assertOneLine("-e", new String[] {"bench", "-m", model.toString(), "-e", "vllm", "-p", "0", "-n", "1"}, "'vllm'");
    }

    /** The hint names the verb the user typed, so its --help is the right one. */
    @Test
    void theHintNamesTheVerb() {
        String line = assertOneLine("--bogus", new String[] {"model", "inspect", "m.gguf", "--bogus"}, "Unknown option");
        org.junit.jupiter.api.Assertions.assertTrue(line.endsWith("; see tierlab model inspect --help"), line);
    }

    /** A misspelt verb gets picocli's suggestion on the same line. */
    @Test
    void misspeltVerbIsSuggested() {
        String line = assertOneLine("'benc'", new String[] {"benc"}, "Unmatched argument", "(did you mean bench?)");
        org.junit.jupiter.api.Assertions.assertTrue(line.endsWith("; see tierlab --help"), line);
    }
}
