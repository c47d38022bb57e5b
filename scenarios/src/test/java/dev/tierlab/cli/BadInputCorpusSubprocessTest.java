package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tierlab.cli.BadGgufs.Patch;
import dev.tierlab.inference.gguf.GgufValue;
import dev.tierlab.inference.gguf.GgufValueType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus of src/test/resources/bad/corpus/cases.yaml, run through the real CLI: each
 * case starts {@code TierlabCli} in a JVM of its own through the launcher's {@code tierlab_run_java}
 * (scripts/lib.sh, the function scripts/tierlab and the quickstart use), in a fresh working directory,
 * and must exit with the case's code, print exactly one stderr line that matches the case's pattern
 * and starts with "tierlab: ", print nothing on stdout, show no stack trace or exception class, leave
 * no hs_err file, and not print the JVM's incubator-module note.
 */
class BadInputCorpusSubprocessTest {

    private static final Pattern EXCEPTION_NAME = Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(here|bad|tmp|micro|gguf:[a-z-]+)}");
    private static final String Q = "blk.0.attn_q.weight";
    private static final String K = "blk.0.attn_k.weight";
    private static final String EMBD = "token_embd.weight";

    /** The corrupt GGUFs that {gguf:NAME} names, each made from the valid micro model. */
    private static final Map<String, Function<Path, byte[]>> GGUFS = Map.ofEntries(
            Map.entry("empty", m -> new byte[0]),
            Map.entry("bad-magic", m -> new Patch(m).i32(0, 0x4c4d4747).bytes),
            Map.entry("header-cut", m -> java.util.Arrays.copyOf(new Patch(m).bytes, 10)),
            Map.entry("absurd-tensor-count", m -> new Patch(m).i64(8, 1L << 60).bytes),
            Map.entry("unknown-value-type", m -> {
                Patch p = new Patch(m);
                return p.i32(p.keyType("general.name"), 77).bytes;
            }),
            Map.entry("negative-offset", m -> {
                Patch p = new Patch(m);
                return p.i64(p.offsetAt(K), -32).bytes;
            }),
            Map.entry("overlapping-offsets", m -> {
                Patch p = new Patch(m);
                return p.i64(p.offsetAt(K), p.offset(Q)).bytes;
            }),
            Map.entry("unknown-tensor-type", m -> {
                Patch p = new Patch(m);
                return p.i32(p.typeAt(Q), 99).bytes;
            }),
            Map.entry("dims-overflow", m -> {
                Patch p = new Patch(m);
                return p.i64(p.dimAt(EMBD, 0), 1L << 32).i64(p.dimAt(EMBD, 1), 1L << 32).bytes;
            }),
            Map.entry("data-cut", m -> {
                byte[] b = new Patch(m).bytes;
                return java.util.Arrays.copyOf(b, b.length - 100);
            }),
            Map.entry("scores-half", m -> {
                try {
                    Path f = BadGgufs.write(BadGgufs.rebuildMeta(BadGgufs.plan(BadGgufs.MICRO), meta -> meta.put("tokenizer.ggml.scores",
                            GgufValue.array(GgufValueType.FLOAT32, Collections.nCopies(256, 0f)))),
                            Files.createTempFile(m.getParent(), "scores-half", ".tmp"));
                    return Files.readAllBytes(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));

    /** Two JVMs at a time: the CI machine has two cores. */
    private static final ExecutorService POOL = Executors.newFixedThreadPool(2);

    @TempDir
    static Path work;

    record Case(String name, List<String> args, Map<String, String> env, int exit, String line) {
    }

    record Outcome(int exit, List<String> stdout, List<String> stderr, List<String> leftBehind, String command) {
    }

    static List<Case> cases() throws IOException {
        try (InputStream in = BadInputCorpusSubprocessTest.class.getResourceAsStream("/bad/corpus/cases.yaml")) {
            List<Map<String, Object>> raw = new ObjectMapper(new YAMLFactory()).readValue(in, new TypeReference<>() { });
            List<Case> out = new ArrayList<>();
            for (Map<String, Object> m : raw) {
                @SuppressWarnings("unchecked")
                List<Object> args = (List<Object>) m.get("args");
                @SuppressWarnings("unchecked")
                Map<String, String> env = (Map<String, String>) m.getOrDefault("env", Map.of());
                out.add(new Case((String) m.get("name"), args.stream().map(String::valueOf).toList(), env,
                        (Integer) m.get("exit"), (String) m.get("line")));
            }
            return out;
        }
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputGetsItsExitCodeAndOneLine() throws Exception {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 40, "corpus size " + cases.size());
        // every kind of input the issue names is in the corpus
        assertTrue(count(cases, c -> c.args().stream().anyMatch(a -> a.endsWith(".yaml"))) >= 20, "scenario cases");
        assertTrue(count(cases, c -> c.args().stream().anyMatch(a -> a.contains("/latency/"))) >= 6, "latency-log cases");
        assertTrue(count(cases, c -> c.args().stream().anyMatch(a -> a.contains("hgrm"))) >= 1
                && count(cases, c -> c.args().stream().anyMatch(a -> a.contains("hlog"))) >= 1
                && count(cases, c -> c.args().stream().anyMatch(a -> a.contains("fio"))) >= 1, ".hgrm, .hlog and fio cases");
        assertTrue(count(cases, c -> c.env().containsKey("TIERLAB_CACHE")) >= 3, "calibration cases");
        assertTrue(count(cases, c -> c.args().stream().anyMatch(a -> a.startsWith("{gguf:"))) >= 8, "GGUF cases");
        assertTrue(count(cases, c -> c.args().stream().noneMatch(a -> a.contains("{"))) >= 5, "command-line flag cases");

        Path here = Path.of(getClass().getResource("/bad/corpus/cases.yaml").toURI()).getParent();
        Path micro = BadGgufs.valid(BadGgufs.MICRO, work.resolve("micro.gguf"));
        List<CompletableFuture<Outcome>> runs = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Path dir = Files.createDirectories(work.resolve("case-%03d".formatted(i)));
            runs.add(CompletableFuture.supplyAsync(() -> run(c, dir, here, micro), POOL));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            CompletableFuture<Outcome> f = runs.get(i);
            tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c, f.get(180, TimeUnit.SECONDS))));
        }
        return tests.stream();
    }

    @AfterAll
    static void stopPool() {
        POOL.shutdownNow();
    }

    private static long count(List<Case> cases, java.util.function.Predicate<Case> p) {
        return cases.stream().filter(p).count();
    }

    private static void check(Case c, Outcome o) {
        String context = o.command() + "\nexit " + o.exit() + "\nstdout: " + o.stdout() + "\nstderr: " + o.stderr();
        assertEquals(c.exit(), o.exit(), "exit code; " + context);
        assertEquals(1, o.stderr().size(), "exactly one line on stderr; " + context);
        String line = o.stderr().getFirst();
        assertTrue(Pattern.compile(c.line()).matcher(line).find(), "matches /" + c.line() + "/; " + context);
        assertFalse(EXCEPTION_NAME.matcher(line).find(), "no exception class name; " + context);
        assertFalse(line.contains("TIERLAB_DEBUG"), "no stack-trace hint; " + context);
        assertEquals(List.of(), o.stdout(), "nothing on stdout; " + context);
        assertEquals(List.of(), o.leftBehind(), "no hs_err or core file; " + context);
    }

    private static Outcome run(Case c, Path dir, Path here, Path micro) {
        try {
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            Path cwd = Files.createDirectories(dir.resolve("cwd"));
            Function<String, String> expand = s -> {
                Matcher m = PLACEHOLDER.matcher(s);
                StringBuilder sb = new StringBuilder();
                while (m.find()) {
                    String key = m.group(1);
                    String value = switch (key) {
                        case "here" -> here.toString();
                        case "bad" -> here.getParent().toString();
                        case "tmp" -> tmp.toString();
                        case "micro" -> micro.toString();
                        default -> gguf(key.substring("gguf:".length()), micro, tmp).toString();
                    };
                    m.appendReplacement(sb, Matcher.quoteReplacement(value));
                }
                return m.appendTail(sb).toString();
            };
            List<String> command = new ArrayList<>(List.of("bash", "-c", "source \"$1\"; shift; tierlab_run_java \"$@\"", "corpus",
                    Path.of("..", "scripts", "lib.sh").toAbsolutePath().normalize().toString(),
                    "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                    "-cp", System.getProperty("java.class.path"), TierlabCli.class.getName()));
            c.args().forEach(a -> command.add(expand.apply(a)));
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().remove("TIERLAB_DEBUG");
            pb.environment().put("TIERLAB_CACHE", tmp.resolve("cache").toString());
            c.env().forEach((k, v) -> pb.environment().put(k, expand.apply(v)));
            Process p = pb.start();
            if (!p.waitFor(150, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("no exit in 150 s: " + command);
            }
            List<String> left;
            try (Stream<Path> s = Files.list(cwd)) {
                left = s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith("hs_err") || n.startsWith("core")).toList();
            }
            String shown = String.join(" ", command.subList(command.indexOf(TierlabCli.class.getName()), command.size()));
            return new Outcome(p.exitValue(), lines(dir.resolve("stdout")), lines(dir.resolve("stderr")), left, shown);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines(Path f) throws IOException {
        return Files.readString(f, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    private static Path gguf(String name, Path micro, Path tmp) {
        Function<Path, byte[]> make = GGUFS.get(name);
        if (make == null) {
            throw new IllegalArgumentException("cases.yaml names {gguf:" + name + "}, which GGUFS does not make");
        }
        try {
            return Files.write(tmp.resolve(name + ".gguf"), make.apply(micro));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
