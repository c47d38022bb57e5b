package dev.tierlab.scenario;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each malformed scenario in src/test/resources/bad states on its first line the error it must get
 * ("# expect: LINE:COL: field: message"), and gets it, located in the file.
 */
class ScenarioCorpusTest {

    @TestFactory
    Stream<DynamicTest> everyMalformedScenarioGetsItsPreciseError() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("/bad").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 10);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String expect = Files.readAllLines(f).getFirst().replaceFirst("^# expect: ", "");
            ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.load(f));
            String wanted = expect.matches("^\\d+:\\d+: .*") ? f + ":" + expect : expect;
            assertTrue(e.problems().stream().anyMatch(p -> p.contains(wanted)),
                    "wanted '" + wanted + "' in " + e.problems());
            assertTrue(e.problems().stream().allMatch(p -> p.startsWith(f.toString())), "every problem names the file: " + e.problems());
            assertFalse(e.problems().stream().anyMatch(p -> p.contains("\n")));
        }));
    }

    @Test
    void everyLibraryScenarioIsValid() throws IOException {
        Path lib = Path.of("library");
        try (Stream<Path> s = Files.list(lib)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertTrue(files.size() >= 5);
            for (Path f : files) {
                Scenario sc = ScenarioLoader.load(f);
                assertTrue(SweepPlanner.plan(sc).size() > 1, f.toString());
                assertTrue(Files.readString(f).startsWith("# Question:"), f + " says the question it answers");
            }
        }
    }
}
