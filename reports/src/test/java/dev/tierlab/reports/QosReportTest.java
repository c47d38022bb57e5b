package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QosReportTest {

    @TempDir
    Path dir;

    private static String line(String config, double rate, double p99Tpot, boolean meets) {
        return """
                {"config": "%s", "offered_rps": %s, "requests": 100, "goodput_rps": %s, "meets_slo": %s,
                 "slo": {"ttft_p99_ms": 1.0, "tpot_p99_ms": 0.05},
                 "ttft_ms": {"n": 100, "p50": 0.1, "p99": 0.3}, "tpot_ms": {"n": 100, "p50": %s, "p99": %s, "p99_ci": [0.001, 0.002]}}"""
                .formatted(config, rate, rate * 0.9, meets, p99Tpot / 2, p99Tpot).replace("\n", "");
    }

    @Test
    void theKneeAndTheHighestLoadMeetingTheSloComeFromEachCurve() throws IOException {
        List<String> lines = new ArrayList<>();
        // Loads out of order on purpose: the curve sorts them.
        lines.add(line("hbm", 4000, 0.030, true));
        lines.add(line("hbm", 1000, 0.020, true));
        lines.add(line("hbm", 2000, 0.025, true));
        lines.add(line("hbm", 8000, 0.045, false));
        lines.add(line("hbf", 1000, 0.040, true));
        lines.add(line("hbf", 2000, 0.070, false));
        lines.add(line("hbf", 4000, 0.090, true)); // a recovery above a failure is not trusted
        Files.write(dir.resolve("serving.jsonl"), lines);
        ObjectMapper m = new ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> rows = new ArrayList<>();
        for (String l : lines) {
            rows.add(m.readTree(l));
        }
        List<QosReport.Curve> curves = QosReport.curves(rows);
        QosReport.Answer hbm = QosReport.answer(curves.get(0));
        QosReport.Answer hbf = QosReport.answer(curves.get(1));
        assertEquals(4000, hbm.highestMeetingSlo());
        assertEquals(4000, hbm.knee(), "0.045 > 2 x 0.020 first at 8000");
        assertEquals(1000, hbf.highestMeetingSlo());
        assertEquals(2000, hbf.knee(), "0.070 < 0.080, 0.090 > 0.080 at 4000");
        Path html = QosReport.build(dir);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| hbm | 4000 | 4000 | beyond the loads run |"), md);
        assertTrue(Files.readString(html).contains("<svg"));
        assertTrue(md.contains("| 0.00100 - 0.00200 |"), md);
        assertTrue(Files.readString(dir.resolve("qos.csv")).lines().count() == 8);
        // Per load, which configurations hold the SLO there and at every lower load (hbf's recovery at 4000 does not count).
        assertTrue(md.contains("| 1000 | hbm, hbf | none |"), md);
        assertTrue(md.contains("| 4000 | hbm | hbf |"), md);
        assertTrue(md.contains("| 8000 | none | hbm |"), md);
    }
}
