package dev.tierlab.inference.gguf;

import java.nio.file.Path;

/**
 * A GGUF file that cannot be used, found before any native code sees it. The message is one line:
 * the file, the header field, metadata key or tensor at fault (named in {@code problem}), what is
 * wrong, and after a semicolon what to do about it. {@link #field()} names the field on its own.
 */
public final class GgufFormatException extends RuntimeException {

    /** Longest name quoted into a message; a corrupt file's names can be anything. */
    private static final int MAX_QUOTED = 96;

    private final transient Path file;
    private final String field;
    private final String fix;

    /**
     * @param field   the header field, metadata key or tensor name the problem is about
     * @param problem what is wrong, naming the field as a reader would look for it
     * @param fix     what to do, e.g. "re-convert the model with llama.cpp's convert_hf_to_gguf.py"
     */
    public GgufFormatException(Path file, String field, String problem, String fix) {
        super(oneLine(file + ": " + problem + (fix == null || fix.isEmpty() ? "" : "; " + fix)));
        this.file = file;
        this.field = field;
        this.fix = fix == null ? "" : fix;
    }

    /** A problem without a separate field or fix (kept for engines that check what they need). */
    public GgufFormatException(Path file, String problem) {
        this(file, null, problem, null);
    }

    public Path file() {
        return file;
    }

    /** The header field, metadata key or tensor name at fault; null when the message is all there is. */
    public String field() {
        return field;
    }

    public String fix() {
        return fix;
    }

    /**
     * A name read from a file, quoted for a message: control characters escaped (a message stays
     * one line) and cut to {@value #MAX_QUOTED} characters.
     */
    public static String quote(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_QUOTED) + 8).append('\'');
        for (int i = 0; i < name.length(); i++) {
            if (i == MAX_QUOTED) {
                sb.append("...(").append(name.length()).append(" chars)");
                break;
            }
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append("\\u%04x".formatted((int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
