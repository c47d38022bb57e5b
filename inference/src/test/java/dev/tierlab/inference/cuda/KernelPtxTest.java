package dev.tierlab.inference.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tierlab.emulator.cuda.CudaModule;
import dev.tierlab.emulator.cuda.GpuCalibration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernels' PTX: the committed files (what the jar loads with cuModuleLoadData) declare every
 * entry point the Java side launches, for sm_90; and where nvcc exists, every .cu source compiles
 * and gives exactly the committed PTX (scripts/build-kernels regenerates it).
 */
class KernelPtxTest {

    /** Source, committed PTX resource, class that loads it, and the entry points the Java side launches. */
    record Kernels(Path source, String resource, Class<?> owner, Set<String> entries) {
    }

    static final List<Kernels> ALL = List.of(
            new Kernels(Path.of("src/main/cuda/engine.cu"), CudaModel.PTX, CudaModel.class,
                    Set.of("rmsnorm_f32", "rope_f32", "swiglu_f32", "add_f32", "embed_f16", "gemv_f16", "kv_store_f16", "attention_f16kv")),
            new Kernels(Path.of("../emulator/src/main/cuda/calibrate.cu"), "/dev/tierlab/emulator/cuda/calibrate.ptx", GpuCalibration.class,
                    Set.of("read_stream")));

    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(");

    static Set<String> entries(String ptx) {
        Set<String> s = new TreeSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            s.add(m.group(1));
        }
        return s;
    }

    @Test
    void committedPtxDeclaresEveryLaunchedEntryPointForSm90() {
        for (Kernels k : ALL) {
            String ptx = new String(CudaModule.ptx(k.owner(), k.resource()), StandardCharsets.US_ASCII);
            assertEquals(k.entries(), entries(ptx), k.resource());
            assertTrue(ptx.contains("\n.target sm_90\n"), k.resource() + " targets sm_90");
        }
    }

    @Test
    void theJavaSideLaunchesOnlyDeclaredEntryPoints() throws IOException {
        Map<Path, Set<String>> launchers = Map.of(
                Path.of("src/main/java/dev/tierlab/inference/cuda/CudaContext.java"), ALL.get(0).entries(),
                Path.of("../emulator/src/main/java/dev/tierlab/emulator/cuda/GpuCalibration.java"), ALL.get(1).entries());
        Pattern launch = Pattern.compile("launch\\(\"(\\w+)\"");
        for (var e : launchers.entrySet()) {
            Matcher m = launch.matcher(Files.readString(e.getKey()));
            int n = 0;
            while (m.find()) {
                assertTrue(e.getValue().contains(m.group(1)), e.getKey() + " launches " + m.group(1) + ", which the PTX does not declare");
                n++;
            }
            assertTrue(n > 0, e.getKey() + " launches kernels");
        }
    }

    @Test
    void everyKernelSourceCompilesWithNvccToTheCommittedPtx(@TempDir Path dir) throws Exception {
        String nvcc = nvcc();
        assumeTrue(nvcc != null, "nvcc not found (PATH, /usr/local/cuda*/bin): the committed PTX is used as it is");
        for (Kernels k : ALL) {
            Path out = dir.resolve(k.source().getFileName().toString().replace(".cu", ".ptx"));
            Process p = new ProcessBuilder(nvcc, "-ptx", "-arch=sm_90", "-O3", "-o", out.toString(), k.source().toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc finished");
            assertEquals(0, p.exitValue(), k.source() + " compiles: " + log);
            String fresh = Files.readString(out, StandardCharsets.US_ASCII);
            assertEquals(k.entries(), entries(fresh), k.source() + " exports the entry points");
            String committed = new String(CudaModule.ptx(k.owner(), k.resource()), StandardCharsets.US_ASCII);
            if (compilerLine(fresh).equals(compilerLine(committed))) {
                assertEquals(committed, fresh, k.resource() + " is stale: run scripts/build-kernels");
            }
        }
    }

    private static String compilerLine(String ptx) {
        return ptx.lines().filter(l -> l.startsWith("// Cuda compilation tools")).findFirst().orElse("");
    }

    static String nvcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) {
                return Path.of(dir, "nvcc").toString();
            }
        }
        try (var s = Files.list(Path.of("/usr/local"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("cuda")).map(p -> p.resolve("bin/nvcc")).filter(Files::isExecutable)
                    .map(Path::toString).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
