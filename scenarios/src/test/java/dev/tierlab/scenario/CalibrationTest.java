package dev.tierlab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A calibration file is used, absent, or refused with one line naming it; never silently replaced. */
class CalibrationTest {

    @TempDir
    Path dir;

    @Test
    void whatCalibrateWritesReadsBack() throws IOException {
        // calibrate --skip dram writes a NaN DRAM bandwidth next to the engine's
        Calibration c = new Calibration("now", "cpu", 2, Double.NaN, 5e9, 5e9, "engine_stream", List.of(), Map.of());
        Path f = Files.writeString(dir.resolve("calibration.json"), c.toJson());
        assertEquals(5e9, Calibration.load(f).orElseThrow().baseBytesPerSecond());
    }

    @Test
    void noFileIsNoCalibration() {
        assertTrue(Calibration.load(dir.resolve("absent.json")).isEmpty());
    }

    @Test
    void aCorruptFileIsAnErrorNamingIt() throws IOException {
        for (String content : List.of("", "not json {", "[1, 2]", "{\"base_bytes_per_s\": \"fast\"}", "null",
                "{\"cpu\": \"x\"}", "{\"base_bytes_per_s\": -1}")) {
            Path f = Files.writeString(dir.resolve("calibration.json"), content);
            SpecException e = assertThrows(SpecException.class, () -> Calibration.load(f), content);
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("tierlab calibrate"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        Path d = Files.createDirectories(dir.resolve("calibration-dir.json"));
        assertThrows(SpecException.class, () -> Calibration.load(d));
    }
}
