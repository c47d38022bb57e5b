package dev.tierlab.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** llama-bench's output formats. */
enum BenchFormat {
    CSV, JSON, JSONL, MD;

    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

    static BenchFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError("-o: unknown output format '" + s + "'; use csv, json, jsonl or md");
        }
    }

    void write(List<Map<String, Object>> rows, PrintWriter out) throws JsonProcessingException {
        switch (this) {
            case CSV -> {
                if (!rows.isEmpty()) {
                    out.println(String.join(",", rows.getFirst().keySet()));
                }
                for (Map<String, Object> row : rows) {
                    out.println(row.values().stream().map(BenchFormat::csvField).collect(Collectors.joining(",")));
                }
            }
            case JSON -> out.println(jsonArray(rows));
            case JSONL -> {
                for (Map<String, Object> row : rows) {
                    out.println(JSON_MAPPER.writeValueAsString(row));
                }
            }
            case MD -> markdown(rows, out);
        }
    }

    static String jsonArray(List<Map<String, Object>> rows) throws JsonProcessingException {
        return JSON_MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows);
    }

    private static String csvField(Object v) {
        String s = switch (v) {
            case null -> "";
            case long[] a -> Arrays.stream(a).mapToObj(Long::toString).collect(Collectors.joining(" "));
            case Object[] a -> Arrays.stream(a).map(String::valueOf).collect(Collectors.joining(" "));
            default -> String.valueOf(v);
        };
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** llama-bench's table (model, size, params, backend, threads, test, t/s) plus tierlab's latency columns. */
    private static void markdown(List<Map<String, Object>> rows, PrintWriter out) {
        boolean ref = rows.stream().anyMatch(r -> r.get("ref_tg_ratio") != null || r.get("ref_pp_ratio") != null);
        String[] head = ref ? new String[] {"model", "size", "params", "backend", "threads", "hook", "test", "t/s", "ttft ms", "itl p50 ms",
            "itl p99 ms", "cv", "llama.cpp t/s", "reference", "ref t/s", "ref ratio"}
            : new String[] {"model", "size", "params", "backend", "threads", "hook", "test", "t/s", "ttft ms", "itl p50 ms",
                "itl p99 ms", "cv", "llama.cpp t/s"};
        out.println("| " + String.join(" | ", head) + " |");
        out.println("| " + Arrays.stream(head).map(h -> h.equals("t/s") || h.contains("ms") || h.equals("cv")
                || h.equals("llama.cpp t/s") || h.equals("threads") || h.equals("size") || h.equals("params") || h.startsWith("ref ")
                ? "---:" : "---")
                .collect(Collectors.joining(" | ")) + " |");
        for (Map<String, Object> r : rows) {
            boolean gen = ((Integer) r.get("n_gen")) > 0;
            boolean prompt = ((Integer) r.get("n_prompt")) > 0;
            Object llama = gen && !prompt ? r.get("llama_tg_ts") : prompt && !gen ? r.get("llama_pp_ts") : null;
            Object refTs = gen && !prompt ? r.get("ref_tg_tps") : prompt && !gen ? r.get("ref_pp_tps") : null;
            Object refRatio = gen && !prompt ? r.get("ref_tg_ratio") : prompt && !gen ? r.get("ref_pp_ratio") : null;
            String refCells = !ref ? "" : " | " + String.join(" | ", r.get("reference") == null ? "-" : String.valueOf(r.get("reference")),
                    fmt(refTs), refRatio instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : "-");
            out.println("| " + String.join(" | ",
                    String.valueOf(r.get("model_type")),
                    Units.bytes((Long) r.get("model_size")),
                    Units.count((Long) r.get("model_n_params")),
                    String.valueOf(r.get("backends")),
                    String.valueOf(r.get("n_threads")),
                    String.valueOf(r.get("hook")),
                    String.valueOf(r.get("test")),
                    String.format(Locale.ROOT, "%.2f ± %.2f", (Double) r.get("avg_ts"), (Double) r.get("stddev_ts")),
                    fmt(r.get("ttft_ms")),
                    fmt(r.get("itl_p50_ms")),
                    fmt(r.get("itl_p99_ms")),
                    String.format(Locale.ROOT, "%.1f%%", 100 * (Double) r.get("cv_ts")),
                    fmt(llama)) + refCells + " |");
        }
    }

    private static String fmt(Object v) {
        return v instanceof Double d ? String.format(Locale.ROOT, "%.2f", d) : "-";
    }
}
