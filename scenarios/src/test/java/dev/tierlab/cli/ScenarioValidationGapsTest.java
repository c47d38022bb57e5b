package dev.tierlab.cli;

import static dev.tierlab.cli.OneLineErrors.assertBadScenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad scenarios that {@code tierlab validate} and {@code run --dry-run} once accepted: each must now
 * exit 2 with one line naming the file and the field.
 */
class ScenarioValidationGapsTest {

    @TempDir
    Path dir;

    private Path scenario(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), yaml);
    }

    /** Placement.kvTier computes {@code top - recent}: a negative count puts positions past the end on this tier. */
    @Test
    void negativeRecent() throws IOException {
        Path f = scenario("negative-recent", """
                name: x
                tiers: {flash: {preset: hbf}}
                placement:
                  kv: [{tier: hbm, recent: -5}, {tier: flash}]
                """);
        assertBadScenario(f, "placement.kv[0].recent", true);
    }

    /** Copy mode is not dilated: its bytes move at host speed, so only reference: host can be its answer. */
    @Test
    void copyModeWithAnAcceleratorReference() throws IOException {
        assertBadScenario(scenario("copy-h200", "name: x\nengine: java\nmode: copy\nreference: h200\n"), "mode", true);
        assertBadScenario(scenario("copy-default", "name: x\nengine: java\nmode: copy\n"), "mode", true);
    }

    /** A loss target of 150% or "ten" has no requirement to invert. */
    @Test
    void lossTargetsOutOfRange() throws IOException {
        assertBadScenario(scenario("target-range", "name: x\ntargets: [2.2%, 150%]\n"), "targets", true);
        assertBadScenario(scenario("target-word", "name: x\ntargets: [ten]\n"), "targets", true);
        assertBadScenario(scenario("target-scalar", "name: x\ntargets: 5%\n"), "targets", true);
    }

    /** TierModel allocates one long per channel: 100M channels is 800 MB per tier model, per repeat. */
    @Test
    void hugeChannels() throws IOException {
        Path f = scenario("huge-channels", "name: x\ntiers:\n  flash: {preset: hbf, channels: 100000000}\n");
        assertBadScenario(f, "tiers.flash.channels", true);
    }

    /** One request per byte: a 1 GB layer is a billion requests for the tier model to schedule. */
    @Test
    void tinyGranularity() throws IOException {
        Path f = scenario("tiny-granularity", "name: x\ntiers:\n  flash: {preset: hbf, granularity: 1B}\n");
        assertBadScenario(f, "tiers.flash.granularity", true);
    }

    /** The tiny preset has layers 0-3; a rule for 0-99 is a typo the run would silently ignore. */
    @Test
    void weightLayersBeyondTheModel() throws IOException {
        Path f = scenario("weight-layers-beyond", """
                name: x
                model: {preset: tiny}
                tiers: {flash: {preset: hbf}}
                placement:
                  weights: [{tier: flash, layers: 0-99}]
                """);
        assertBadScenario(f, "placement.weights[0].layers", true);
    }

    @Test
    void kvLayersBeyondTheModel() throws IOException {
        Path f = scenario("kv-layers-beyond", """
                name: x
                model: {preset: tiny}
                tiers: {flash: {preset: hbf}}
                placement:
                  kv: [{tier: flash, layers: 7-9}]
                """);
        assertBadScenario(f, "placement.kv[0].layers", true);
    }

    /** model.path is only checked to be a regular file; a zero-byte GGUF passes validate and dry-run. */
    @Test
    void modelPathThatIsNotAGguf() throws IOException {
        Files.write(dir.resolve("empty.gguf"), new byte[0]);
        Path f = scenario("corrupt-model-path", "name: x\nmodel: {path: empty.gguf}\n");
        assertBadScenario(f, "model.path", true, "empty.gguf");
    }

    /** Rejected today, but as "placement: unknown tier 'nosuch'" without a location; the field is cache.tier. */
    @Test
    void unknownCacheTierNamesCacheTier() throws IOException {
        Path f = scenario("cache-tier", "name: x\ncache: {tier: nosuch, capacity: 1GiB}\n");
        assertBadScenario(f, "cache.tier", true, "'nosuch'");
    }

    @Test
    void promptLongerThanTheContext() throws IOException {
        Path f = scenario("prompt-past-context", "name: x\ncontext: 256\nworkload: {prompt: 100000, generate: 8}\n");
        assertBadScenario(f, "workload.prompt", true);
    }

    @Test
    void absurdThreadCount() throws IOException {
        Path f = scenario("absurd-threads", "name: x\nthreads: 100000\n");
        assertBadScenario(f, "threads", true);
    }

    /** Rejected today, but LocatedYaml's "repeats: appears twice" names neither the file nor the line. */
    @Test
    void duplicatedKeyNamesTheFile() throws IOException {
        Path f = scenario("duplicate-key", "name: x\nrepeats: 2\nrepeats: 3\n");
        assertBadScenario(f, "repeats: appears twice", true);
    }
}
