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
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare two runs point by point: ratio of medians (B/A) with a bootstrap 95%% CI and a",
            "Mann-Whitney p-value; 'no significant difference' when the CI spans 1."})
final class CompareCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_A")
    Path a;

    @Parameters(index = "1", paramLabel = "RUN_B")
    Path b;

    @Override
    public Integer call() {
        for (Path r : List.of(a, b)) {
            if (!Files.isRegularFile(r.resolve("results.jsonl"))) {
                throw new UserError(r + ": not a run directory (no results.jsonl)");
            }
        }
        List<Comparison.Row> rows = Comparison.compare(RunData.read(List.of(a)), RunData.read(List.of(b)));
        PrintWriter o = spec.commandLine().getOut();
        if (rows.isEmpty()) {
            throw new UserError("the runs share no point (compare runs of the same scenario)");
        }
        o.printf("%-48s %-7s %4s %4s %10s %10s %8s %17s %8s  %s%n", "point", "metric", "nA", "nB", "median A", "median B",
                "B/A", "95% CI", "p", "verdict");
        for (Comparison.Row r : rows) {
            o.printf(Locale.ROOT, "%-48s %-7s %4d %4d %10.3f %10.3f %8.4f %8.4f-%-8.4f %8.4f  %s%n", r.pointId(), r.metric(),
                    r.nA(), r.nB(), r.medianA(), r.medianB(), r.ratio(), r.ciLow(), r.ciHigh(), r.pValue(), r.verdict());
        }
        return TierlabCli.EXIT_OK;
    }
}
