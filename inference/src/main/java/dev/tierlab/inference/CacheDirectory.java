package dev.tierlab.inference;

import java.nio.file.Path;

/**
 * Where tierlab keeps what it makes once and reuses: the extracted llama.cpp library, synthesized
 * models, the calibration: $TIERLAB_CACHE, else $XDG_CACHE_HOME/tierlab, else ~/.cache/tierlab.
 */
public final class CacheDirectory {
    private CacheDirectory() {
    }

    public static Path root() {
        String override = System.getenv("TIERLAB_CACHE");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("tierlab");
    }
}
