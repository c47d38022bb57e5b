package dev.tierlab.run;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * A file of the run directory could not be written (a full disk, a read-only or vanished directory).
 * The file it was replacing is intact (files are replaced by rename), so every repeat written before
 * can still be read and resumed; the run must stop rather than measure what it cannot keep.
 */
public final class ResultWriteException extends IOException {

    private final Path file;

    public ResultWriteException(Path file, IOException cause) {
        super(file + ": " + reason(cause), cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The operating system's words for it, e.g. "No space left on device" or "Permission denied". */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
