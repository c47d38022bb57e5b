package dev.tierlab.cli;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.gguf.GgufValue;
import dev.tierlab.inference.gguf.GgufWriter;
import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Broken GGUF files for the bad-input corpus, each derived from a valid synthesized micro model
 * (a few hundred KiB): either rebuilt through {@link GgufWriter} with metadata or tensors changed,
 * or written valid and then patched byte by byte where the writer cannot go wrong.
 */
final class BadGgufs {

    /** llama layout, 2 blocks, 4 heads (2 KV) of 16, vocabulary 512: every check has something to look at. */
    static final ModelPreset MICRO = new ModelPreset("micro", "llama", 64, 2, 4, 2, 16, 128, 512, 256, 10000f, 1e-5f,
            false, false, false, false, 0, "tierlab bad-input corpus");
    /** The same shape as qwen2: q/k/v biases, tied embeddings. */
    static final ModelPreset MICRO_QWEN = new ModelPreset("micro-qwen", "qwen2", 64, 2, 4, 2, 16, 128, 512, 256, 1e6f, 1e-6f,
            true, true, false, false, 0, "tierlab bad-input corpus");

    private BadGgufs() {
    }

    static GgufWriter plan(ModelPreset p) {
        return SyntheticModel.plan(p, QuantMix.F16);
    }

    /** Writes a plan with zero tensor data (enough for every header check). */
    static Path write(GgufWriter w, Path file) {
        try {
            w.write(file, (t, out) -> {
                byte[] zeros = new byte[64 << 10];
                for (long left = t.byteSize(); left > 0; left -= zeros.length) {
                    out.write(zeros, 0, (int) Math.min(left, zeros.length));
                }
            });
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path valid(ModelPreset p, Path file) {
        return write(plan(p), file);
    }

    /** A tensor declaration for {@link #rebuild}: null drops the tensor. */
    record Tensor(String name, GgmlType type, long[] dims) {
    }

    /**
     * A new writer with the plan's metadata (edited by {@code meta}) and its tensors, each passed
     * through {@code tensors} (which may rename, reshape or drop it), laid out afresh.
     */
    static GgufWriter rebuild(GgufWriter plan, Consumer<Map<String, GgufValue>> meta, Function<Tensor, Tensor> tensors) {
        Map<String, GgufValue> m = new LinkedHashMap<>(plan.metadata());
        meta.accept(m);
        GgufWriter w = new GgufWriter();
        m.forEach(w::put);
        for (GgufTensorInfo t : plan.tensors()) {
            Tensor out = tensors.apply(new Tensor(t.name(), t.type(), t.dims()));
            if (out != null) {
                w.addTensor(out.name(), out.type(), out.dims());
            }
        }
        return w;
    }

    static GgufWriter rebuildMeta(GgufWriter plan, Consumer<Map<String, GgufValue>> meta) {
        return rebuild(plan, meta, t -> t);
    }

    static GgufWriter rebuildTensors(GgufWriter plan, Function<Tensor, Tensor> tensors) {
        return rebuild(plan, m -> { }, tensors);
    }

    /** A valid file's bytes, for patching. */
    static final class Patch {
        final byte[] bytes;
        final ByteBuffer le;

        Patch(Path validFile) {
            try {
                bytes = Files.readAllBytes(validFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Position of the u64 length that precedes {@code s} (a key or tensor name) in the header. */
        int stringAt(String s) {
            byte[] name = s.getBytes(StandardCharsets.UTF_8);
            byte[] pattern = new byte[8 + name.length];
            ByteBuffer.wrap(pattern).order(ByteOrder.LITTLE_ENDIAN).putLong(name.length).put(name);
            outer:
            for (int i = 24; i + pattern.length <= bytes.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (bytes[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            throw new IllegalArgumentException("not in the header: " + s);
        }

        /** Position of a metadata entry's value-type field. */
        int keyType(String key) {
            return stringAt(key) + 8 + key.getBytes(StandardCharsets.UTF_8).length;
        }

        int nDimsAt(String tensor) {
            return stringAt(tensor) + 8 + tensor.getBytes(StandardCharsets.UTF_8).length;
        }

        int dimAt(String tensor, int d) {
            return nDimsAt(tensor) + 4 + 8 * d;
        }

        int typeAt(String tensor) {
            return nDimsAt(tensor) + 4 + 8 * le.getInt(nDimsAt(tensor));
        }

        int offsetAt(String tensor) {
            return typeAt(tensor) + 4;
        }

        long offset(String tensor) {
            return le.getLong(offsetAt(tensor));
        }

        Patch i32(int at, int v) {
            le.putInt(at, v);
            return this;
        }

        Patch i64(int at, long v) {
            le.putLong(at, v);
            return this;
        }

        /** Overwrites the bytes of a name in place with another of the same length. */
        Patch rename(String from, String to) {
            byte[] a = from.getBytes(StandardCharsets.UTF_8);
            byte[] b = to.getBytes(StandardCharsets.UTF_8);
            if (a.length != b.length) {
                throw new IllegalArgumentException("same length only");
            }
            System.arraycopy(b, 0, bytes, stringAt(from) + 8, b.length);
            return this;
        }

        Path write(Path file) {
            return write(file, bytes.length);
        }

        Path write(Path file, int length) {
            try {
                return Files.write(file, Arrays.copyOf(bytes, length));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
