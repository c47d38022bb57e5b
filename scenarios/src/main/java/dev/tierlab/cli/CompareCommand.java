package dev.tierlab.cli;

import dev.tierlab.reports.Comparison;
import dev.tierlab.reports.RunData;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare run B with run A point by point, with statistical tests.",
            "Paired runs are compared on their per-pair degradation, unpaired ones on throughput. Ratio of",
            "medians (B/A) with a 95%% bootstrap interval, an exact Mann-Whitney U test, Holm-Bonferroni across all",
            "tests. A difference needs --min-repeats per side and an adjusted p <= --alpha; otherwise the row says",
            "'inconclusive' or 'no difference detected'."})
final class CompareCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_A")
    Path a;

    @Parameters(index = "1", paramLabel = "RUN_B")
    Path b;

    @Option(names = "--min-repeats", paramLabel = "N", description = "Repeats needed on each side before a difference is declared (default: ${DEFAULT-VALUE}).")
    int minRepeats = Comparison.Options.DEFAULT.minPerSide();

    @Option(names = "--alpha", paramLabel = "A", description = "Family-wise error rate across all tests (default: ${DEFAULT-VALUE}).")
    double alpha = Comparison.Options.DEFAULT.alpha();

    @Option(names = "--include-disturbed", description = "Keep repeats flagged disturbed (left out by default).")
    boolean includeDisturbed;

    @Override
    public Integer call() {
        for (Path r : List.of(a, b)) {
            if (!Files.isRegularFile(r.resolve("results.jsonl"))) {
                throw new UserError(r + ": not a run directory (no results.jsonl)");
            }
        }
        Comparison.Options options;
        try {
            options = new Comparison.Options(minRepeats, alpha, includeDisturbed);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        Comparison.Result result = Comparison.compare(RunData.read(List.of(a)), RunData.read(List.of(b)), options);
        PrintWriter o = spec.commandLine().getOut();
        if (result.rows().isEmpty()) {
            throw new UserError("the runs share no point (compare runs of the same scenario)");
        }
        o.printf("A = %s%nB = %s%n", a, b);
        o.printf("%-44s %-13s %3s %3s %10s %10s %7s %15s %7s %7s  %s%n", "point", "metric", "nA", "nB", "median A", "median B",
                "B/A", "95% CI", "p", "p(Holm)", "verdict");
        for (Comparison.Row r : result.rows()) {
            var ratio = r.ratio().ratio();
            String ci = ratio.hasInterval() ? String.format(Locale.ROOT, "%.4f-%.4f", ratio.low(), ratio.high()) : "-";
            o.printf(Locale.ROOT, "%-44s %-13s %3d %3d %10.4g %10.4g %7.4f %15s %7s %7s  %s%n", r.pointId(), r.quantity(),
                    r.nA(), r.nB(), r.medianA(), r.medianB(), ratio.estimate(), ci, p(r.test() == null ? Double.NaN : r.test().pValue()),
                    p(r.pHolm()), r.verdictText(options));
        }
        o.println();
        result.method().forEach(o::println);
        return TierlabCli.EXIT_OK;
    }

    private static String p(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "-";
    }
}
