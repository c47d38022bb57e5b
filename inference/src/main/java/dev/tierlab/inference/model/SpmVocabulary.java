package dev.tierlab.inference.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A SentencePiece-style ("llama") vocabulary that llama.cpp's SPM tokenizer accepts: &lt;unk&gt;,
 * &lt;s&gt;, &lt;/s&gt;, the 256 byte-fallback tokens, then pieces from common words down to letter
 * n-grams, scored so that longer pieces win merges. Any text tokenizes (bytes cover the rest).
 */
public record SpmVocabulary(List<String> tokens, List<Float> scores, List<Integer> types) {

    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    /** llama_token_type values. */
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;

    private static final String SPACE = "\u2581";
    private static final String[] COMMON_WORDS = {
        "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
        "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
        "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when",
        "will", "would", "who", "so", "no", "memory", "model", "data", "token", "tier", "flash", "cache",
        "Once", "upon", "a", "time", "The", "I", "A", "It", "In", "We", "This",
    };

    public static SpmVocabulary build(int size) {
        if (size < 512) {
            throw new IllegalArgumentException("an SPM vocabulary needs at least 512 tokens, got " + size);
        }
        List<String> tokens = new ArrayList<>(size);
        List<Float> scores = new ArrayList<>(size);
        List<Integer> types = new ArrayList<>(size);
        addFixed(tokens, scores, types, "<unk>", UNKNOWN);
        addFixed(tokens, scores, types, "<s>", CONTROL);
        addFixed(tokens, scores, types, "</s>", CONTROL);
        for (int b = 0; b < 256; b++) {
            addFixed(tokens, scores, types, "<0x%02X>".formatted(b), BYTE);
        }
        Set<String> pieces = new LinkedHashSet<>();
        pieces.add(SPACE);
        String singles = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()";
        for (char c : singles.toCharArray()) {
            pieces.add(String.valueOf(c));
            pieces.add(SPACE + c);
        }
        for (String w : COMMON_WORDS) {
            pieces.add(SPACE + w);
        }
        int wanted = size - tokens.size();
        for (int len = 2; pieces.size() < wanted; len++) {
            addNgrams(pieces, "", len, wanted);
        }
        int rank = 0;
        for (String piece : pieces) {
            if (tokens.size() == size) {
                break;
            }
            tokens.add(piece);
            // Longer pieces score higher so the SPM merge loop prefers them over their parts.
            scores.add(-(float) rank++ / size + piece.length());
            types.add(NORMAL);
        }
        return new SpmVocabulary(List.copyOf(tokens), List.copyOf(scores), List.copyOf(types));
    }

    private static void addFixed(List<String> tokens, List<Float> scores, List<Integer> types, String t, int type) {
        tokens.add(t);
        scores.add(0f);
        types.add(type);
    }

    /** Adds lowercase letter n-grams of {@code len}, with and without a leading space, until full. */
    private static void addNgrams(Set<String> pieces, String prefix, int len, int wanted) {
        if (pieces.size() >= wanted) {
            return;
        }
        if (prefix.length() == len) {
            pieces.add(SPACE + prefix);
            pieces.add(prefix);
            return;
        }
        for (char c = 'a'; c <= 'z' && pieces.size() < wanted; c++) {
            addNgrams(pieces, prefix + c, len, wanted);
        }
    }
}
