package dev.tierlab.emulator.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The GPU probe without a GPU (CI), and the calibration on one (the accelerator machine). */
class CudaTest {

    @Test
    void withoutTheDriverTheProbeSaysInOneLineThatLibcudaIsMissing() {
        assumeTrue(!Cuda.loadable(Cuda.DRIVER_LIBRARY), "this machine has a CUDA driver (libcuda.so.1); the no-driver message cannot be checked here");
        String why = Cuda.whyUnavailable();
        assertNotNull(why);
        assertTrue(why.startsWith("no CUDA driver (libcuda.so.1) found"), why);
        assertTrue(why.contains("LD_LIBRARY_PATH"), "says where it looked: " + why);
        assertFalse(why.contains("\n"), "one line: " + why);
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, Cuda::device);
        assertEquals(why, e.getMessage(), "every later call says the same");
    }

    @Test
    void gpuCalibrationMeasuresEveryPath() {
        String why = Cuda.whyUnavailable();
        assumeTrue(why == null, () -> "needs a GPU: " + why);
        GpuCalibration.Result r = new GpuCalibration(3).run(256L << 20, 256L << 20, 50);
        assertTrue(r.d2dBytesPerSecond() > 1e10, "D2D " + r.d2dBytesPerSecond());
        assertTrue(r.hbmReadBytesPerSecond() > 1e10, "HBM read " + r.hbmReadBytesPerSecond());
        assertTrue(r.mappedReadBytesPerSecond() > 1e8, "mapped read " + r.mappedReadBytesPerSecond());
        assertEquals(4, r.transfers().size());
        r.transfers().forEach(t -> t.bytesPerSecondBySize().values().forEach(v -> assertTrue(v > 0, t.name())));
        r.copyLatencyNanos().values().forEach(h -> assertEquals(50, h.getTotalCount()));
    }
}
