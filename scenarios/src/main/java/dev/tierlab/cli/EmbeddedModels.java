package dev.tierlab.cli;

import dev.tierlab.inference.CacheDirectory;
import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.run.ModelFiles;
import dev.tierlab.scenario.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Synthesized models the CLI uses when none is given, kept in the tierlab cache
 * ($TIERLAB_CACHE, else $XDG_CACHE_HOME/tierlab, else ~/.cache/tierlab) and made on first use.
 */
final class EmbeddedModels {

    static final String DEFAULT_PRESET = "small";
    static final QuantMix DEFAULT_QUANT = QuantMix.F16;

    private EmbeddedModels() {
    }

    static Path cacheDir() {
        return CacheDirectory.root();
    }

    static Path resolve(String presetName, QuantMix mix, PrintWriter err) throws IOException {
        ModelPreset p = Presets.byName(presetName).orElseThrow(() -> new UserError("unknown preset " + presetName));
        Scenario.ModelRef ref = new Scenario.ModelRef(p.name(), mix.label(), null, null);
        Path file = ModelFiles.fileFor(ref, cacheDir());
        if (!Files.exists(file)) {
            err.printf("tierlab: synthesizing the default model %s (%s) into %s%n", p.name(), mix.label(), file);
            ProgressLine progress = new ProgressLine(err, "synth " + p.name() + " " + mix.label());
            ModelFiles.resolve(ref, cacheDir(), (done, total, t) -> progress.update(done, total));
            progress.finish();
        }
        return file;
    }
}
