package dev.tierlab.inference.testing;

import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import dev.tierlab.inference.gguf.GgufWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** Synthesized models shared by the tests of one JVM, written once into a temp directory. */
public final class TestModels {

    private static final Path DIR;
    private static final ConcurrentHashMap<String, Path> CACHE = new ConcurrentHashMap<>();

    static {
        try {
            DIR = Files.createTempDirectory("tierlab-test-models");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestModels() {
    }

    public static Path tiny(QuantMix mix) {
        return model("tiny", mix, null);
    }

    public static Path model(String preset, QuantMix mix, Integer layers) {
        String key = preset + "-" + mix.label() + (layers == null ? "" : "-l" + layers);
        return CACHE.computeIfAbsent(key, k -> {
            Path out = DIR.resolve(k + ".gguf");
            var p = Presets.byName(preset).orElseThrow();
            try {
                SyntheticModel.write(layers == null ? p : p.withLayers(layers), mix, SyntheticModel.DEFAULT_SEED, out,
                        GgufWriter.Progress.NONE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.toFile().deleteOnExit();
            return out;
        });
    }
}
