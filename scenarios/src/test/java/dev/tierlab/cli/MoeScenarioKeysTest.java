package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Mixture-of-experts scenario keys: good values validate, bad ones give one line naming the field, exit 2. */
class MoeScenarioKeysTest {

    @TempDir
    Path dir;

    private static final String BASE = """
            model: {preset: olmoe-1b-7b, quant: q4_k_m, layers: 2%s}
            mode: trace
            tiers: {hbf: hbf}
            placement:
              default: hbm
              weights:
                - {tier: hbm, class: experts, experts: %s}
                - {tier: hbf, class: experts}
            cache: {tier: hbm, capacity: %s}
            """;

    private Path write(String zipf, String experts, String capacity) throws IOException {
        Path f = dir.resolve("moe.yaml");
        Files.writeString(f, BASE.formatted(zipf, experts, capacity));
        return f;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "|hot 16|256 experts",
        ", router_zipf: 0.5|'{hot: 8}'|0 experts",
        "|0-7|1GiB",
        "|'[0, 3, 63]'|1 expert"})
    void validMoeKeysValidate(String zipf, String experts, String capacity) throws IOException {
        Path f = write(zipf == null ? "" : zipf, experts, capacity);
        CliTest.Result r = CliTest.run("validate", f.toString());
        assertEquals(0, r.exit(), r.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "|hot 0|1GiB|placement.weights[0].experts|1..64",
        "|hot 65|1GiB|placement.weights[0].experts|1..64",
        "|7-3|1GiB|placement.weights[0].experts|range",
        "|0-64|1GiB|placement.weights[0].experts|range",
        "|'[0, 64]'|1GiB|placement.weights[0].experts|0..63",
        "|warm|1GiB|placement.weights[0].experts|hot 8",
        "|'{cold: 3}'|1GiB|placement.weights[0].experts|hot: N",
        "|hot 8|-1 experts|cache.capacity|expert count",
        "|hot 8|many experts|cache.capacity|expert count",
        ", router_zipf: 5|hot 8|1GiB|model.router_zipf|[0, 4]",
        ", router_zipf: steep|hot 8|1GiB|model.router_zipf|not a number"})
    void badMoeKeysGiveOneLineAndExitTwo(String zipf, String experts, String capacity, String field, String says) throws IOException {
        Path f = write(zipf == null ? "" : zipf, experts, capacity);
        OneLineErrors.assertBadScenario(f, field, false, says);
    }

    @Test
    void routerZipfOnADensePresetIsRefused() throws IOException {
        Path f = dir.resolve("dense.yaml");
        Files.writeString(f, "model: {preset: tiny, router_zipf: 1.0}\n");
        OneLineErrors.assertBadScenario(f, "model.router_zipf", false, "mixture-of-experts");
    }

    @Test
    void inspectShowsTotalAndActiveParametersAndTheRoutingAssumption() {
        Path f = dir.resolve("olmoe.gguf");
        CliTest.Result s = CliTest.run("model", "synth", "--preset", "olmoe-1b-7b", "--layers", "1", "--quant", "q4_k_m",
                "--router-zipf", "0.7", "-o", f.toString());
        assertEquals(0, s.exit(), s.err());
        CliTest.Result r = CliTest.run("model", "inspect", "--no-tensors", f.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("active params   273.30M"), r.out());
        assertTrue(r.out().contains("experts         64, 8 used per token"), r.out());
        assertTrue(r.out().contains("zipf s=0.70"), r.out());
    }
}
