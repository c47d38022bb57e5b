package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultRecordTest {

    @TempDir
    Path dir;

    static final String V2 = """
            {"point":{"tiers.hbf.read_bandwidth":"0.5x"},"point_id":"p16-n4-d0/bw=0.5x","point_index":3,"baseline":false,
             "role":"emulated","pair":2,"order":"EB","repeat":2,"mode":"inject","n_prompt":16,"n_gen":4,"n_depth":0,
             "pp_tps":50.0,"tg_tps":9.5,"ttft_ms":21.0,"e2e_ms":400.0,"itl_ms":{"p50":100.0,"p90":120,"p99":150,"p999":150,"max":150},
             "itl_n":4,"decode_ms":[100.0,98.0,150.0,102.0],"stall_ms":12.5,"measured_step_ms":101,"modelled_step_ms":99,
             "sentinel_gbps":18.5,"disturbed":true,"gc":{"count":2,"total_ms":3.5,"max_ms":2.0},
             "ref_tg_tps":40.0,"ref_pp_tps":400.0,"ref_ttft_ms":5.0,"ref_step_ms":25.0,"ref_itl_ms":{"p50":25.0,"p99":26.0},
             "ref_decode_ms":[25.0,25.0,26.0,25.0],"reference":"h200","fidelity":1.04,
             "tiers":{"hbf":{"bytes_read":4096,"bytes_written":0,"requests":8,"stall_ms":12.5,
               "device_latency_us":{"p50":3.0,"p99":9.0},"queue_us":{"p50":0.5,"p99":4.0},"transfer_us":{"p50":2.0,"p99":2.2}}}}
            """.replace("\n", "");

    static final String V1 = """
            {"point":{},"point_id":"p16-n4-d0/baseline","point_index":0,"baseline":true,"repeat":1,"mode":"none","n_prompt":16,
             "n_gen":4,"n_depth":0,"pp_tps":60.0,"tg_tps":12.0,"ttft_ms":18.0,"e2e_ms":350.0,"itl_ms":{"p50":80.0,"p99":90.0},
             "tiers":{"flash":{"bytes_read":1,"requests":1,"stall_ms":0,"read_latency_p50_us":5,"read_latency_p99_us":7.5}},
             "stall_ms":0,"measured_step_ms":81,"modelled_step_ms":null}
            """.replace("\n", "");

    @Test
    void readsEveryV2FieldTheReportsUse() throws IOException {
        ResultRecord r = ResultRecord.of(RunFixture.JSON.readTree(V2));
        assertTrue(r.v2());
        assertEquals(ResultRecord.Role.EMULATED, r.role());
        assertEquals(2, r.pair());
        assertEquals("EB", r.order());
        assertEquals("0.5x", r.axes().get("tiers.hbf.read_bandwidth"));
        assertArrayEquals(new double[] {100, 98, 150, 102}, r.host().decodeMs());
        assertEquals(101, r.host().medianDecodeMs(), 1e-12, "median of decode_ms, not itl p50");
        assertEquals(4, r.host().itlN());
        assertEquals(18.5, r.noise().sentinelGbps());
        assertTrue(r.noise().disturbed());
        assertEquals(3.5, r.noise().gcTotalMs());
        assertEquals(40.0, r.reference().tgTps());
        assertEquals("h200", r.reference().name());
        assertEquals(26.0, r.reference().itlP99Ms());
        assertEquals(1.04, r.fidelity());
        ResultRecord.TierFigures t = r.tiers().get("hbf");
        assertEquals(9.0, t.deviceP99Us());
        assertEquals(4.0, t.queueP99Us());
        assertEquals(2.2, t.transferP99Us());
        assertTrue(Double.isNaN(t.readP99Us()));
    }

    @Test
    void readsV1LinesAsUnpaired() throws IOException {
        ResultRecord r = ResultRecord.of(RunFixture.JSON.readTree(V1));
        assertFalse(r.v2());
        assertTrue(r.baseline());
        assertEquals(-1, r.pair());
        assertFalse(r.paired());
        assertEquals(80.0, r.host().medianDecodeMs(), "no decode_ms: itl_ms.p50");
        assertEquals(7.5, r.tiers().get("flash").readP99Us());
        assertTrue(Double.isNaN(r.host().modelledStepMs()));
        assertTrue(Double.isNaN(r.reference().tgTps()));
        assertFalse(r.noise().disturbed());
    }

    @Test
    void traceModeLinesHaveOnlyReferenceFigures() throws IOException {
        String trace = V2.replace("\"tg_tps\":9.5", "\"tg_tps\":null").replace("\"mode\":\"inject\"", "\"mode\":\"trace\"");
        ResultRecord r = ResultRecord.of(RunFixture.JSON.readTree(trace));
        assertTrue(Double.isNaN(r.host().tgTps()));
        assertEquals("trace", r.mode());
        assertThrows(IllegalArgumentException.class, () -> ResultRecord.of(RunFixture.JSON.readTree(V2.replace("\"emulated\"", "\"other\""))));
        assertThrows(IllegalArgumentException.class, () -> ResultRecord.of(RunFixture.JSON.readTree(V2.replace("[100.0,98.0", "[\"x\",98.0"))));
    }

    @Test
    void runDataKeepsTheTwoHalvesOfAPairAndDropsRepeatedAndTruncatedLines() throws IOException {
        String baselineHalf = V2.replace("\"role\":\"emulated\"", "\"role\":\"baseline\"").replace("\"baseline\":false", "\"baseline\":true");
        Files.writeString(dir.resolve("results.jsonl"), String.join("\n", V2, baselineHalf, V2, V1, "{\"point_id\":\"cut sh") + "\n");
        RunData d = RunData.read(List.of(dir));
        assertEquals(3, d.records().size(), "pair halves share point_id and repeat but are two lines; the repeated line counts once");
        assertTrue(d.v2());
        assertEquals(2, d.disturbed().size());
        assertThrows(IllegalArgumentException.class, () -> RunData.read(List.of(dir.resolve("missing"))));
    }
}
