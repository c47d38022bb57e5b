package dev.tierlab.inference.llamacpp;

import dev.tierlab.inference.CacheDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Finds libjllama.so inside the de.kherud:llama jar, extracts it once into a cache directory named
 * by its SHA-256 (so jars with different builds never share a file), and opens it with dlopen.
 */
final class NativeLibrary {

    private NativeLibrary() {
    }

    /** Resource path of the library for this OS and CPU, as the de.kherud:llama jar lays it out. */
    static String resourcePath() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String cpu = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> throw new UnsupportedOperationException("llama.cpp engine: unsupported CPU architecture " + arch);
        };
        if (os.contains("linux")) {
            return "/de/kherud/llama/Linux/" + cpu + "/libjllama.so";
        }
        if (os.contains("mac")) {
            return "/de/kherud/llama/Mac/" + cpu + "/libjllama.dylib";
        }
        throw new UnsupportedOperationException("llama.cpp engine: unsupported OS " + os);
    }

    /** Extracts (if needed) and returns the path of the library file. */
    static Path extract() {
        String resource = resourcePath();
        byte[] bytes;
        try (InputStream in = de.kherud.llama.LlamaModel.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("llama.cpp native library " + resource + " is not in the de.kherud:llama jar");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        String sha = sha256(bytes);
        Path dir = CacheDirectory.root().resolve("native").resolve(sha.substring(0, 16));
        Path lib = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        try {
            if (!Files.exists(lib) || Files.size(lib) != bytes.length) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, "lib", ".partial");
                Files.write(tmp, bytes);
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract llama.cpp library to " + dir + " (set TIERLAB_CACHE to a writable directory)", e);
        }
        return lib;
    }

    static SymbolLookup open() {
        return SymbolLookup.libraryLookup(extract(), Arena.global());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
