package dev.tierlab.cli;

import dev.tierlab.inference.bench.BenchConfig;
import dev.tierlab.inference.bench.BenchResult;
import dev.tierlab.inference.bench.BenchSample;
import dev.tierlab.inference.engine.LoadedModel;
import dev.tierlab.inference.llamacpp.LlamaCpp;
import dev.tierlab.reports.stats.SampleStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import dev.tierlab.emulator.ledger.LedgerSummary;
import dev.tierlab.run.ResultRow;

/**
 * One output row of {@code tierlab bench}: llama-bench's columns, in llama-bench's order and units
 * (nanoseconds, tokens per second), then tierlab's own.
 */
final class BenchRow {

    private BenchRow() {
    }

    static Map<String, Object> of(BenchResult r, Path modelFile, LoadedModel model, BenchConfig config) {
        String engine = r.engine();
        double[] ts = r.samplesTokensPerSecond();
        double[] ns = Arrays.stream(r.samplesNanos()).asDoubleStream().toArray();
        SampleStats tsStats = SampleStats.of(ts);
        SampleStats nsStats = SampleStats.of(ns);
        Map<String, Object> row = new LinkedHashMap<>();
        boolean llama = engine.equals("llama.cpp");
        row.put("build_commit", llama ? LlamaCpp.BUILD_COMMIT : "tierlab-java");
        row.put("build_number", llama ? LlamaCpp.BUILD_NUMBER : 0);
        row.put("cpu_info", CPU_INFO);
        row.put("gpu_info", "");
        row.put("backends", "CPU");
        row.put("model_filename", modelFile.toString());
        row.put("model_type", model.description());
        row.put("model_size", model.sizeBytes());
        row.put("model_n_params", model.parameterCount());
        row.put("n_batch", config.nBatch());
        row.put("n_ubatch", config.nUbatch());
        row.put("n_threads", r.threads());
        row.put("type_k", config.kvType().ggmlName());
        row.put("type_v", config.kvType().ggmlName());
        row.put("n_gpu_layers", 0);
        row.put("use_mmap", true);
        row.put("flash_attn", false);
        row.put("n_prompt", r.test().nPrompt());
        row.put("n_gen", r.test().nGen());
        row.put("n_depth", r.test().nDepth());
        row.put("test_time", r.testTime().toString());
        row.put("avg_ns", Math.round(nsStats.mean()));
        row.put("stddev_ns", Math.round(nsStats.stddev()));
        row.put("avg_ts", round(tsStats.mean()));
        row.put("stddev_ts", round(tsStats.stddev()));
        row.put("samples_ns", r.samplesNanos());
        row.put("samples_ts", Arrays.stream(ts).map(BenchRow::round).toArray());
        // tierlab's columns
        row.put("engine", engine);
        row.put("test", r.test().label());
        row.put("hook", r.hook());
        row.put("warmup", r.warmupRuns());
        row.put("repetitions", r.samples().size());
        row.put("median_ts", round(tsStats.median()));
        row.put("ci95_low_ts", round(tsStats.ci95Low()));
        row.put("ci95_high_ts", round(tsStats.ci95High()));
        row.put("cv_ts", round(tsStats.cv()));
        row.put("ttft_ms", round(SampleStats.of(r.samples().stream().mapToDouble(s -> s.ttftNanos() / 1e6).toArray()).mean()));
        var h = r.interTokenNanos();
        boolean gen = h.getTotalCount() > 0;
        row.put("itl_p50_ms", gen ? round(h.getValueAtPercentile(50) / 1e6) : null);
        row.put("itl_p90_ms", gen ? round(h.getValueAtPercentile(90) / 1e6) : null);
        row.put("itl_p99_ms", gen ? round(h.getValueAtPercentile(99) / 1e6) : null);
        row.put("itl_p999_ms", gen ? round(h.getValueAtPercentile(99.9) / 1e6) : null);
        row.put("itl_max_ms", gen ? round(h.getMaxValue() / 1e6) : null);
        row.put("pp_ts", r.test().nPrompt() > 0 ? round(mean(r, s -> s.promptTokensPerSecond(r.test()))) : null);
        row.put("tg_ts", r.test().nGen() > 0 ? round(mean(r, s -> s.genTokensPerSecond(r.test()))) : null);
        row.put("llama_t_p_eval_ms", round(mean(r, s -> s.counters().tPromptEvalMs())));
        row.put("llama_t_eval_ms", round(mean(r, s -> s.counters().tEvalMs())));
        row.put("llama_n_p_eval", r.samples().getFirst().counters().nPromptEval());
        row.put("llama_n_eval", r.samples().getFirst().counters().nEval());
        row.put("llama_pp_ts", r.test().nPrompt() > 0 ? round(mean(r, s -> s.counters().promptTokensPerSecond())) : null);
        row.put("llama_tg_ts", r.test().nGen() > 0 ? round(mean(r, s -> s.counters().evalTokensPerSecond())) : null);
        if (r.samples().getFirst().emulation() != null) {
            putEmulation(row, r);
        }
        return row;
    }

    /** The emulator's account, medians over repetitions: decode step measured vs modelled, tiers. */
    private static void putEmulation(Map<String, Object> row, BenchResult r) {
        List<LedgerSummary> em = r.samples().stream().map(BenchSample::emulation).toList();
        double measured = SampleStats.median(em.stream().mapToDouble(LedgerSummary::decodeMeasuredMedianNanos).toArray());
        double modelled = SampleStats.median(em.stream().mapToDouble(LedgerSummary::decodeModelledMedianNanos).toArray());
        row.put("measured_step_ms", round(measured / 1e6));
        row.put("modelled_step_ms", round(modelled / 1e6));
        row.put("model_error", round(measured / modelled - 1));
        row.put("stall_ms", round(SampleStats.median(em.stream().mapToDouble(e -> e.stallNanos() / 1e6).toArray())));
        Map<String, Object> tiers = ResultRow.tierColumns(em.getLast());
        row.put("tiers", tiers);
    }

    private static double mean(BenchResult r, java.util.function.ToDoubleFunction<BenchSample> f) {
        return r.samples().stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
    }

    static final String CPU_INFO = readCpuInfo();

    private static String readCpuInfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

}
