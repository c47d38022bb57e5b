package dev.tierlab.run;

import dev.tierlab.inference.gguf.GgufWriter;
import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import dev.tierlab.scenario.Scenario;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A scenario's model as a file: synthesized into the cache on first use, hashed once per version. */
public final class ModelFiles {

    private ModelFiles() {
    }

    /** The file a model reference names: its path, or where its synthesized preset lives in the cache. */
    public static Path fileFor(Scenario.ModelRef ref, Path cacheDir) {
        return ref.path() != null ? ref.path()
                : cacheDir.resolve("models").resolve("%s-seed%d.gguf".formatted(ref.label(), SyntheticModel.DEFAULT_SEED));
    }

    public static Path resolve(Scenario.ModelRef ref, Path cacheDir, GgufWriter.Progress progress) throws IOException {
        Path file = fileFor(ref, cacheDir);
        if (ref.path() != null) {
            return file;
        }
        ModelPreset p = Presets.byName(ref.preset()).orElseThrow();
        if (ref.layers() != null) {
            p = p.withLayers(ref.layers());
        }
        if (ref.routerZipf() != null) {
            p = p.withRouterZipf(ref.routerZipf());
        }
        QuantMix mix = QuantMix.byName(ref.quant()).orElseThrow();
        if (!Files.exists(file)) {
            SyntheticModel.write(p, mix, SyntheticModel.DEFAULT_SEED, file, progress);
        }
        return file;
    }

    /** SHA-256 of the file, remembered beside it (keyed by size and modification time). */
    public static String sha256(Path file, Path cacheDir) throws IOException {
        long size = Files.size(file);
        long mtime = Files.getLastModifiedTime(file).toMillis();
        String key = Integer.toHexString(file.toAbsolutePath().toString().hashCode()) + "-" + size + "-" + mtime;
        Path memo = cacheDir.resolve("sha256").resolve(key);
        if (Files.exists(memo)) {
            return Files.readString(memo).trim();
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        String hex = HexFormat.of().formatHex(md.digest());
        Files.createDirectories(memo.getParent());
        Files.writeString(memo, hex);
        return hex;
    }
}
