package dev.tierlab.inference.gguf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a file can be broken gives one message naming the file and the problem. */
class GgufCorruptFileTest {

    @TempDir
    Path dir;
    byte[] good;
    /** Offset of the first tensor info's type field in {@link #good}. */
    int typeFieldOffset;

    @BeforeEach
    void writeGoodFile() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        w.addTensor("w", GgmlType.Q8_0, 64, 4);
        Path p = dir.resolve("good.gguf");
        w.write(p, (info, out) -> out.write(new byte[(int) info.byteSize()]));
        good = Files.readAllBytes(p);
        // header(24) + kv: key len(8)+"general.architecture"(20)+type(4)+len(8)+"llama"(5)
        // + tensor: name len(8)+"w"(1)+n_dims(4)+dims(16)
        typeFieldOffset = 24 + 8 + 20 + 4 + 8 + 5 + 8 + 1 + 4 + 16;
    }

    private String failure(byte[] bytes) throws IOException {
        Path p = dir.resolve("bad.gguf");
        Files.write(p, bytes);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void truncatedTensorDataNamesTheTensor() throws IOException {
        String m = failure(java.util.Arrays.copyOf(good, good.length - 30));
        assertTrue(m.contains("truncated") && m.contains("'w'"), m);
    }

    @Test
    void truncatedHeader() throws IOException {
        String m = failure(java.util.Arrays.copyOf(good, 40));
        assertTrue(m.contains("truncated"), m);
    }

    @Test
    void tinyFile() throws IOException {
        assertTrue(failure(new byte[] {'G', 'G'}).contains("smaller than a GGUF header"));
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] b = good.clone();
        b[0] = 'X';
        assertTrue(failure(b).contains("not a GGUF file"));
    }

    @Test
    void unsupportedVersion() throws IOException {
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1);
        assertTrue(failure(b).contains("version 1 is not supported"));
    }

    @Test
    void unknownTensorType() throws IOException {
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(typeFieldOffset, 99);
        String m = failure(b);
        assertTrue(m.contains("unknown ggml type 99") && m.contains("'w'"), m);
    }

    @Test
    void absurdTensorCount() throws IOException {
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(8, Long.MAX_VALUE / 2);
        assertTrue(failure(b).contains("larger than the rest of the file"));
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("absent.gguf");
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().contains("no such file"));
    }
}
