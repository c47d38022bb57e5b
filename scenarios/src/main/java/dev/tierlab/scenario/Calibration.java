package dev.tierlab.scenario;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tierlab.emulator.SpecException;
import dev.tierlab.emulator.calibrate.MemoryBandwidth;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code tierlab calibrate} measured on this machine. {@code baseBytesPerSecond} is what
 * relative tier bandwidths ("0.25x") multiply: the engine's own weight-streaming bandwidth when it
 * was measured (the speed "HBM" runs at in this emulation), else the DRAM read bandwidth.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Calibration(
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("cpu") String cpu,
        @JsonProperty("cores") int cores,
        @JsonProperty("dram_read_bytes_per_s") double dramReadBytesPerSecond,
        @JsonProperty("engine_stream_bytes_per_s") Double engineStreamBytesPerSecond,
        @JsonProperty("base_bytes_per_s") double baseBytesPerSecond,
        @JsonProperty("base_source") String baseSource,
        @JsonProperty("injector") List<Map<String, Object>> injector,
        @JsonProperty("disk") Map<String, Object> disk) {

    private static final String RECALIBRATE = "run 'tierlab calibrate' to measure again, or delete the file";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The calibration in {@code file}, or empty when there is none. A file that is there but cannot
     * be used (not JSON, not a calibration, no positive base bandwidth) is a {@link SpecException}
     * naming the file and the field, not a silent fallback to another base.
     */
    public static Optional<Calibration> load(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file)) {
            throw new SpecException(file.toString(), "calibration: not a file; delete it, or run 'tierlab calibrate' to write one");
        }
        Calibration c;
        try {
            c = JSON.readValue(file.toFile(), Calibration.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? file.toString() : "%s:%d:%d".formatted(file, at.getLineNr(), at.getColumnNr());
            String why = e.getOriginalMessage() == null ? e.getClass().getSimpleName()
                    : e.getOriginalMessage().lines().findFirst().orElse("").strip();
            throw new SpecException(where, "calibration: not a tierlab calibration file (" + why + "); " + RECALIBRATE);
        } catch (IOException e) {
            throw new SpecException(file.toString(), "calibration: cannot read: " + e.getMessage() + "; " + RECALIBRATE);
        }
        if (c == null) {
            throw new SpecException(file.toString(), "calibration: the file is empty; " + RECALIBRATE);
        }
        if (!(c.baseBytesPerSecond() > 0) || Double.isInfinite(c.baseBytesPerSecond())) {
            throw new SpecException(file.toString(), "base_bytes_per_s: must be a positive number of bytes per second, got %s; %s"
                    .formatted(c.baseBytesPerSecond(), RECALIBRATE));
        }
        return Optional.of(c);
    }

    public String toJson() throws IOException {
        return JSON.writeValueAsString(this);
    }

    /**
     * The base for relative bandwidths: from the calibration file, or (said on {@code err}) a quick
     * DRAM read measurement when there is none.
     */
    public static double baseBandwidth(Path file, PrintWriter err) {
        Optional<Calibration> c = load(file);
        if (c.isPresent()) {
            return c.get().baseBytesPerSecond();
        }
        double bw = MemoryBandwidth.measureRead(256L << 20, Runtime.getRuntime().availableProcessors(), 3);
        err.printf("tierlab: no calibration at %s; relative bandwidths use this machine's DRAM read bandwidth, "
                + "measured now: %.2f GB/s (run 'tierlab calibrate' for the engine's own)%n", file, bw / 1e9);
        return bw;
    }
}
