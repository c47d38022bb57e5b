package dev.tierlab.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.latency.LatencyDistribution;
import dev.tierlab.emulator.latency.LatencyFiles;
import dev.tierlab.emulator.latency.LatencySpecs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyTest {

    @TempDir
    Path dir;

    private static long[] draw(LatencyDistribution d, int n) {
        SplittableRandom rng = new SplittableRandom(3);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = d.sample(rng);
        }
        Arrays.sort(v);
        return v;
    }

    @Test
    void lognormalFromPercentilesHasThosePercentiles() {
        long[] v = draw(LatencyDistribution.LogNormal.fromPercentiles(60_000, 180_000), 200_000);
        assertEquals(60_000, v[100_000], 60_000 * 0.02);
        assertEquals(180_000, v[198_000], 180_000 * 0.04);
    }

    @Test
    void stallsHitTheirShareOfRequestsWithTheirExtraTime() {
        var d = LatencySpecs.parse("tiers.flash.latency",
                Map.of("dist", "fixed", "value", "20us", "stalls", Map.of("probability", "1%", "extra", "2ms")), dir);
        long[] v = draw(d, 100_000);
        long stalled = Arrays.stream(v).filter(x -> x == 2_020_000).count();
        assertEquals(1000, stalled, 150);
        assertEquals(99_000, Arrays.stream(v).filter(x -> x == 20_000).count(), 150);
        assertEquals(20_000 + 0.01 * 2_000_000, d.meanNanos(), 1e-6);
    }

    @Test
    void shorthandAndUniformAndNormal() {
        assertEquals(60_000, LatencySpecs.parse("f", "60us", dir).meanNanos());
        assertEquals(6_500, LatencySpecs.parse("f", Map.of("dist", "uniform", "min", "3us", "max", "10us"), dir).meanNanos());
        long[] v = draw(LatencySpecs.parse("f", Map.of("dist", "normal", "mean", "50us", "sd", "5us"), dir), 50_000);
        assertEquals(50_000, v[25_000], 300);
    }

    @Test
    void badLatencySpecsNameTheField() {
        var e = assertThrows(SpecException.class, () -> LatencySpecs.parse("tiers.ssd.latency", Map.of("dist", "gamma"), dir));
        assertEquals("tiers.ssd.latency.dist", e.field());
        assertTrue(e.getMessage().contains("unknown distribution 'gamma'"));
        assertEquals("tiers.ssd.latency.p99", assertThrows(SpecException.class,
                () -> LatencySpecs.parse("tiers.ssd.latency", Map.of("dist", "lognormal", "p50", "60us"), dir)).field());
        assertEquals("tiers.ssd.latency", assertThrows(SpecException.class,
                () -> LatencySpecs.parse("tiers.ssd.latency", 60, dir)).field());
        assertEquals("tiers.ssd.latency.colour", assertThrows(SpecException.class,
                () -> LatencySpecs.parse("tiers.ssd.latency", Map.of("colour", "red"), dir)).field());
    }

    @Test
    void empiricalFromAnHgrmFileReproducesItsDistribution() throws IOException {
        Histogram h = new Histogram(3);
        for (int i = 0; i < 9_000; i++) {
            h.recordValue(50); // us
        }
        for (int i = 0; i < 1_000; i++) {
            h.recordValue(400);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        h.outputPercentileDistribution(new PrintStream(buf), 1.0);
        Path hgrm = dir.resolve("ssd.hgrm");
        Files.write(hgrm, buf.toByteArray());
        var d = LatencySpecs.parse("tiers.ssd.latency", Map.of("dist", "empirical", "file", "ssd.hgrm", "unit", "us"), dir);
        long[] v = draw(d, 100_000);
        assertEquals(50_000, v[50_000], 100);
        assertEquals(400_000, v[95_000], 400);
        assertEquals(0.9 * 50_000 + 0.1 * 400_000, d.meanNanos(), 1500);
    }

    @Test
    void empiricalFromHlogAndFioLogs() throws IOException {
        Path hlog = dir.resolve("lat.hlog");
        try (PrintStream out = new PrintStream(Files.newOutputStream(hlog))) {
            HistogramLogWriter w = new HistogramLogWriter(out);
            w.outputLogFormatVersion();
            Histogram a = new Histogram(3);
            a.recordValue(1000);
            Histogram b = new Histogram(3);
            b.recordValue(3000);
            w.outputIntervalHistogram(a);
            w.outputIntervalHistogram(b);
        }
        var fromLog = LatencyFiles.load("f", hlog, 1);
        assertEquals(2, fromLog.count());
        assertEquals(2000, fromLog.meanNanos(), 5);

        Path fio = dir.resolve("job_clat.1.log");
        Files.writeString(fio, "1, 61000, 0, 4096, 0\n2, 59000, 0, 4096, 4096\n3, 120000, 0, 4096, 8192\n");
        var fromFio = LatencyFiles.load("f", fio, 1);
        assertEquals(3, fromFio.count());
        assertEquals(80_000, fromFio.meanNanos(), 1);

        Files.writeString(fio, "garbage\n");
        assertTrue(assertThrows(SpecException.class, () -> LatencyFiles.load("f", fio, 1)).getMessage().contains("line 1"));
    }

    /** A corrupt interval log (bad base64, a histogram cut short) is a SpecException naming the file, not a crash. */
    @Test
    void corruptHlogIsAProblemWithTheFile() throws IOException {
        String header = "#[StartTime: 0]\n\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
        Path notBase64 = Files.writeString(dir.resolve("bad64.hlog"), header + "0.000,1.000,10.0,NOT-BASE64-@@@@\n");
        Path cut = Files.writeString(dir.resolve("cut.hlog"), header + "0.000,1.000,10.0,HISTFAAAACh4nJNpmSzMwMDAxQABzFCaEUzOmWVvx2ywvwEYCgBAQQNk\n");
        for (Path f : new Path[] {notBase64, cut}) {
            SpecException e = assertThrows(SpecException.class, () -> LatencyFiles.load("tiers.x.latency.file", f, 1000));
            assertEquals("tiers.x.latency.file", e.field());
            assertTrue(e.getMessage().contains(f + " is not a readable HdrHistogram interval log"), e.getMessage());
        }
    }

    /** A second per request is beyond any device; inject mode would hold the engine for it on every request. */
    @Test
    void latenciesAboveOneSecondAreRefused() {
        SpecException fixed = assertThrows(SpecException.class, () -> LatencySpecs.parse("tiers.x.latency", "2s", Path.of(".")));
        assertEquals("tiers.x.latency", fixed.field());
        SpecException p99 = assertThrows(SpecException.class, () -> LatencySpecs.parse("tiers.x.latency",
                Map.of("dist", "lognormal", "p50", "10us", "p99", "1500ms"), Path.of(".")));
        assertEquals("tiers.x.latency.p99", p99.field());
        assertEquals(1e9, ((LatencyDistribution.Fixed) LatencySpecs.parse("f", "1s", Path.of("."))).meanNanos(), 0);
    }
}
