package dev.tierlab.inference.model;

import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.gguf.GgufFormatException;
import dev.tierlab.inference.gguf.GgufValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece-style tokenization of a GGUF "llama" vocabulary, as llama.cpp's SPM tokenizer does
 * it: spaces become U+2581 with one added in front, symbols start as characters, the adjacent pair
 * whose merge is a vocabulary piece with the best score merges first, and characters with no piece
 * fall back to byte tokens.
 */
public final class SpmTokenizer {

    private static final String SPACE = "\u2581";

    private final Map<String, Integer> ids = new HashMap<>();
    private final float[] scores;
    private final int bos;
    private final boolean addBos;

    private SpmTokenizer(List<?> tokens, List<?> scoreList, int bos, boolean addBos) {
        scores = new float[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(String.valueOf(tokens.get(i)), i);
            scores[i] = scoreList == null ? 0 : ((Number) scoreList.get(i)).floatValue();
        }
        this.bos = bos;
        this.addBos = addBos;
    }

    public static SpmTokenizer of(GgufFile f) {
        String model = f.get("tokenizer.ggml.model").map(GgufValue::asString).orElse("");
        if (!model.equals("llama")) {
            throw new GgufFormatException(f.path(), "tokenizer.ggml.model", "the Java engine tokenizes only SPM ('llama') vocabularies, not "
                    + GgufFormatException.quote(model), "use engine llama.cpp for this model");
        }
        return new SpmTokenizer(f.get("tokenizer.ggml.tokens").orElseThrow().asList(),
                f.get("tokenizer.ggml.scores").map(GgufValue::asList).orElse(null),
                (int) (long) f.get("tokenizer.ggml.bos_token_id").map(GgufValue::asLong).orElse(1L),
                f.get("tokenizer.ggml.add_bos_token").map(v -> (Boolean) v.value()).orElse(true));
    }

    public int bos() {
        return addBos ? bos : -1;
    }

    public int[] encode(String text, boolean withBos) {
        List<Integer> out = new ArrayList<>();
        if (withBos && addBos) {
            out.add(bos);
        }
        if (!text.isEmpty()) {
            String s = SPACE + text.replace(" ", SPACE);
            List<String> symbols = new ArrayList<>();
            s.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
            while (true) {
                int best = -1;
                float bestScore = Float.NEGATIVE_INFINITY;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    Integer id = ids.get(symbols.get(i) + symbols.get(i + 1));
                    if (id != null && scores[id] > bestScore) {
                        bestScore = scores[id];
                        best = i;
                    }
                }
                if (best < 0) {
                    break;
                }
                symbols.set(best, symbols.get(best) + symbols.get(best + 1));
                symbols.remove(best + 1);
            }
            for (String sym : symbols) {
                Integer id = ids.get(sym);
                if (id != null) {
                    out.add(id);
                } else {
                    for (byte b : sym.getBytes(StandardCharsets.UTF_8)) {
                        out.add(ids.getOrDefault("<0x%02X>".formatted(b & 0xFF), 0));
                    }
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
