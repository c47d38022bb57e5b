package dev.tierlab.inference.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class SpmVocabularyTest {

    @Test
    void hasSpecialAndByteTokensAndUniquePiecesOfTheRequestedSize() {
        for (int size : new int[] {512, 4096, 32000, 151936}) {
            SpmVocabulary v = SpmVocabulary.build(size);
            assertEquals(size, v.tokens().size());
            assertEquals(size, v.scores().size());
            assertEquals(size, new HashSet<>(v.tokens()).size(), "tokens are unique");
            assertEquals("<unk>", v.tokens().get(SpmVocabulary.UNK));
            assertEquals("<s>", v.tokens().get(SpmVocabulary.BOS));
            assertEquals("</s>", v.tokens().get(SpmVocabulary.EOS));
            assertEquals("<0x0A>", v.tokens().get(3 + 10));
            assertEquals(SpmVocabulary.BYTE, v.types().get(3 + 255));
            assertEquals(SpmVocabulary.NORMAL, v.types().get(size - 1));
        }
    }

    @Test
    void rejectsTooSmallVocabularies() {
        assertThrows(IllegalArgumentException.class, () -> SpmVocabulary.build(300));
    }
}
