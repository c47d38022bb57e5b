package dev.tierlab.inference.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tierlab.emulator.cuda.Cuda;
import dev.tierlab.emulator.cuda.CudaUnavailableException;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.testing.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Engine names, the no-GPU path, and on a GPU the engine against the Java engine. */
class CudaEngineTest {

    @Test
    void engineNamesParseToPlacements() {
        assertEquals(CudaPlacement.ALL_HBM, CudaPlacement.parse("cuda"));
        assertEquals(new CudaPlacement(CudaPlacement.Tier.HOST_MAPPED, 0, Integer.MAX_VALUE, 1), CudaPlacement.parse("cuda:host-mapped"));
        CudaPlacement p = CudaPlacement.parse("cuda:pcie-pinned@2-5/d=3");
        assertEquals(new CudaPlacement(CudaPlacement.Tier.PCIE_PINNED, 2, 5, 3), p);
        assertEquals(CudaPlacement.Tier.HBM, p.tierOf(1));
        assertEquals(CudaPlacement.Tier.PCIE_PINNED, p.tierOf(5));
        assertEquals(CudaPlacement.Tier.HBM, p.tierOf(6));
        assertEquals("cuda:pcie-pinned@2-5/d=3", p.engineName());
        assertEquals(p, CudaPlacement.parse(p.engineName()));
    }

    @Test
    void badEngineNamesSayWhatToWrite() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaPlacement.parse("cuda:nvme")).getMessage()
                .contains("use hbm, host-mapped or pcie-pinned"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaPlacement.parse("cuda:pcie-pinned/d=0")).getMessage()
                .contains("1 <= N <= 8"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaPlacement.parse("cuda:host-mapped@7-2")).getMessage()
                .contains("0 <= A <= B"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaPlacement.parse("cuda:host-mapped@x")).getMessage()
                .contains("not a layer range"));
    }

    @Test
    void withoutAGpuLoadFailsBeforeTouchingTheModel() {
        String why = Cuda.whyUnavailable();
        assumeTrue(why != null, "this machine has a GPU");
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
                () -> new CudaEngine(CudaPlacement.ALL_HBM).load(Path.of("no-such-model.gguf")));
        assertEquals(why, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda", "cuda:host-mapped", "cuda:pcie-pinned", "cuda:pcie-pinned@1-2/d=2"})
    void onAGpuLogitsAndGreedyTokensAgreeWithTheJavaEngine(String engine) {
        String why = Cuda.whyUnavailable();
        assumeTrue(why == null, () -> "needs a GPU: " + why);
        Path file = TestModels.model("tiny", QuantMix.F16, null);
        CudaCheck.Result r = CudaCheck.run(file, 24, 12, CudaPlacement.parse(engine));
        assertTrue(r.passed(), engine + ": " + r);
        assertTrue(r.steps() > r.nearTies(), "at least one step was not a near-tie: " + r);
    }
}
