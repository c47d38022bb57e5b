package dev.tierlab.emulator.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tierlab.emulator.calibrate.Doctor.BusyProcess;
import dev.tierlab.emulator.calibrate.Doctor.Measurements;
import dev.tierlab.emulator.calibrate.Doctor.SpinGaps;
import dev.tierlab.emulator.calibrate.Doctor.Status;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DoctorTest {

    static final Doctor.Thresholds T = Doctor.Thresholds.DEFAULT;

    /** A quiet 2-core machine: every check passes. */
    static Measurements quiet() {
        return new Measurements(0.1, 2, List.of(new BusyProcess(7, "sshd", 0.01)), 0.9, 0.001, List.of(),
                new double[] {7.0, 7.2, 7.1, 6.9, 7.0}, new SpinGaps(200_000_000L, 50_000, 1, 60_000), null);
    }

    static Map<String, Status> statuses(Measurements m) {
        return Doctor.evaluate(m, T).checks().stream().collect(Collectors.toMap(Doctor.Check::name, Doctor.Check::status));
    }

    static Status status(String check, UnaryOperator<Measurements> change) {
        return statuses(change.apply(quiet())).get(check);
    }

    @Test
    void aQuietMachineIsTrustworthy() {
        Doctor.Verdict v = Doctor.evaluate(quiet(), T);
        assertTrue(v.trustworthy(), v.lines().toString());
        assertEquals(List.of("load", "busy", "steal", "governor", "bandwidth", "spin", "page-cache"),
                v.checks().stream().map(Doctor.Check::name).toList());
        assertEquals(Status.SKIP, statuses(quiet()).get("governor"), "no cpufreq: skipped, not failed");
        assertEquals(List.of(), v.failing());
        assertEquals("verdict: TRUSTWORTHY", v.summary());
        assertEquals(v.checks().size() + 1, v.lines().size());
        assertTrue(v.lines().getFirst().startsWith("load        OK    1-minute load 0.10 on 2 cores"), v.lines().getFirst());
        v.checks().stream().filter(c -> c.status() == Status.OK).forEach(c -> assertEquals("", c.fix(), c.name()));
    }

    @Test
    void eachCheckFailsAboveItsThresholdAndWarnsAboveHalfOfIt() {
        assertEquals(Status.FAIL, status("load", m -> with(m, 2.1, m.others(), m.bandwidthGbps(), m.spin(), m.governors())));
        assertEquals(Status.WARN, status("load", m -> with(m, 1.2, m.others(), m.bandwidthGbps(), m.spin(), m.governors())));
        assertEquals(Status.SKIP, status("load", m -> with(m, Double.NaN, m.others(), m.bandwidthGbps(), m.spin(), m.governors())));

        List<BusyProcess> build = List.of(new BusyProcess(1, "mvn", 0.2), new BusyProcess(2, "cc1", 0.1));
        assertEquals(Status.FAIL, status("busy", m -> with(m, m.load1(), build, m.bandwidthGbps(), m.spin(), m.governors())));
        assertEquals(Status.WARN, status("busy", m -> with(m, m.load1(), build.subList(0, 1), m.bandwidthGbps(), m.spin(), m.governors())));

        assertEquals(Status.FAIL, status("bandwidth", m -> with(m, m.load1(), m.others(), new double[] {7, 4, 7}, m.spin(), m.governors())));
        assertEquals(Status.WARN, status("bandwidth", m -> with(m, m.load1(), m.others(), new double[] {7, 6, 7}, m.spin(), m.governors())));
        assertEquals(Status.SKIP, status("bandwidth", m -> with(m, m.load1(), m.others(), new double[] {7}, m.spin(), m.governors())));

        SpinGaps longGap = new SpinGaps(200_000_000L, 50_000, 1, 6_000_000);
        SpinGaps often = new SpinGaps(200_000_000L, 50_000, 21, 100_000); // 105/s
        SpinGaps sometimes = new SpinGaps(200_000_000L, 50_000, 12, 100_000); // 60/s
        assertEquals(Status.FAIL, status("spin", m -> with(m, m.load1(), m.others(), m.bandwidthGbps(), longGap, m.governors())));
        assertEquals(Status.FAIL, status("spin", m -> with(m, m.load1(), m.others(), m.bandwidthGbps(), often, m.governors())));
        assertEquals(Status.WARN, status("spin", m -> with(m, m.load1(), m.others(), m.bandwidthGbps(), sometimes, m.governors())));

        assertEquals(Status.FAIL, status("steal", m -> new Measurements(m.load1(), m.cores(), m.others(), m.windowSeconds(), 0.06,
                m.governors(), m.bandwidthGbps(), m.spin(), null)));
        assertEquals(Status.WARN, status("steal", m -> new Measurements(m.load1(), m.cores(), m.others(), m.windowSeconds(), 0.03,
                m.governors(), m.bandwidthGbps(), m.spin(), null)));
        assertEquals(Status.SKIP, status("steal", m -> new Measurements(m.load1(), m.cores(), m.others(), m.windowSeconds(), Double.NaN,
                m.governors(), m.bandwidthGbps(), m.spin(), null)));

        assertEquals(Status.WARN, status("governor", m -> with(m, m.load1(), m.others(), m.bandwidthGbps(), m.spin(),
                List.of("powersave", "powersave"))));
        assertEquals(Status.OK, status("governor", m -> with(m, m.load1(), m.others(), m.bandwidthGbps(), m.spin(),
                List.of("performance", "performance"))));
    }

    static Measurements with(Measurements m, double load, List<BusyProcess> others, double[] bw, SpinGaps spin, List<String> gov) {
        return new Measurements(load, m.cores(), others, m.windowSeconds(), m.steal(), gov, bw, spin, m.pageCacheReclaim());
    }

    @Test
    void warningsKeepTheVerdictAndFailuresBreakItWithTheirFix() {
        Measurements reclaiming = new Measurements(0.1, 2, List.of(), 0.9, Double.NaN, List.of("ondemand"), quiet().bandwidthGbps(), quiet().spin(),
                "the kernel's DAMON pages out memory idle for 60 s or more");
        Doctor.Verdict warned = Doctor.evaluate(reclaiming, T);
        assertTrue(warned.trustworthy());
        assertEquals(List.of("governor", "page-cache"), warned.warnings());
        assertEquals(Status.SKIP, statuses(reclaiming).get("steal"));
        assertEquals("verdict: TRUSTWORTHY; warnings: governor, page-cache", warned.summary());

        Measurements busy = new Measurements(3.0, 2, List.of(new BusyProcess(42, "mvn in /work", 1.4)), 0.9, 0.0, List.of(),
                quiet().bandwidthGbps(), quiet().spin(), null);
        Doctor.Verdict v = Doctor.evaluate(busy, T);
        assertFalse(v.trustworthy());
        assertEquals(List.of("load", "busy"), v.failing());
        assertTrue(v.summary().startsWith("verdict: NOT TRUSTWORTHY (load, busy)"), v.summary());
        String busyLine = v.lines().get(1);
        assertTrue(busyLine.startsWith("busy        FAIL  other processes used 1.40 of 2 cores"), busyLine);
        assertTrue(busyLine.contains("mvn in /work (pid 42) 1.40"), busyLine);
        assertTrue(busyLine.contains(" -> "), "a failing check says what to fix: " + busyLine);

        Doctor.Thresholds lenient = new Doctor.Thresholds(10, 10, 1, 1000, 100, 50_000, 1);
        assertTrue(Doctor.evaluate(busy, lenient).trustworthy(), "thresholds are the caller's");
        assertThrows(IllegalArgumentException.class, () -> new Doctor.Thresholds(-1, 1, 1, 1, 1, 1, 1));
    }

    @Test
    void realMeasurementsHaveTheirShape() {
        SpinGaps g = Doctor.spin(20_000_000L, 50_000);
        assertTrue(g.spinNanos() >= 20_000_000L);
        assertTrue(g.maxGapNanos() > 0, "consecutive clock reads are never 0 ns apart over 20 ms");
        assertTrue(g.gaps() >= 0 && g.gapsPerSecond() >= 0);

        Measurements m = Doctor.measure(20_000_000L, 2, 50_000);
        assertEquals(Runtime.getRuntime().availableProcessors(), m.cores());
        assertEquals(2, m.bandwidthGbps().length);
        assertTrue(m.bandwidthGbps()[0] > 0.1, "GB/s " + m.bandwidthGbps()[0]);
        long self = ProcessHandle.current().pid();
        assertTrue(m.others().stream().noneMatch(p -> p.pid() == self), "this process is not 'another' process");
        assertTrue(m.windowSeconds() >= 0.02);
        assertTrue(Double.isNaN(m.load1()) || m.load1() >= 0);
        assertEquals(7, Doctor.evaluate(m, T).checks().size());
        assertTrue(Double.isNaN(m.steal()) || (m.steal() >= 0 && m.steal() <= 1), "steal " + m.steal());
        assertFalse(Doctor.processTicks(self).containsKey(self));
    }
}
