package dev.tierlab.inference.moe;

import dev.tierlab.inference.gguf.GgufWriter;
import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** Scaled-down mixture-of-experts models (real expert counts and top-k, small widths), written once per JVM. */
final class MoeModels {

    static final int VOCAB = 16384;
    private static final ConcurrentHashMap<String, Path> CACHE = new ConcurrentHashMap<>();
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("tierlab-moe-models");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private MoeModels() {
    }

    static ModelPreset tiny(String preset, int layers, double zipf) {
        return Presets.byName(preset).orElseThrow().scaledDown(layers, 256, 256, VOCAB).withRouterZipf(zipf);
    }

    static Path file(String preset, int layers, double zipf, QuantMix mix) {
        String key = "%s-l%d-s%.2f-%s".formatted(preset, layers, zipf, mix.label());
        return CACHE.computeIfAbsent(key, k -> {
            Path out = DIR.resolve(k + ".gguf");
            try {
                SyntheticModel.write(tiny(preset, layers, zipf), mix, SyntheticModel.DEFAULT_SEED, out, GgufWriter.Progress.NONE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.toFile().deleteOnExit();
            return out;
        });
    }
}
