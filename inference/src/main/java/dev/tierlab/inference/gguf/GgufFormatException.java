package dev.tierlab.inference.gguf;

import java.nio.file.Path;

/** A GGUF file that cannot be read: the message names the file and what is wrong with it. */
public final class GgufFormatException extends RuntimeException {
    public GgufFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
