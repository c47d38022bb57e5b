package dev.tierlab.cli;

import dev.tierlab.reports.ReportBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Build curves, tables, report.md and report.html from run dirs.",
            "Curves, tail-latency histograms, requirement tables, report.md and a self-contained",
            "report.html from run directories (several: shards or parts of one run, read together)."})
final class ReportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR")
    List<Path> runs;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Where the report goes (default: the first RUN_DIR).")
    Path out;

    @Option(names = "--include-disturbed", description = "Keep repeats flagged disturbed in the curves (they are listed either way).")
    boolean includeDisturbed;

    @Option(names = "--targets", split = ",", paramLabel = "LOSS",
            description = "Loss targets of the requirement table, e.g. 2.2%%,5%%,10%% (default: the scenario's targets, else 5%%,10%%,20%%).")
    List<String> targets;

    @Override
    public Integer call() throws IOException {
        if (runs.size() == 1 && dev.tierlab.run.ServingRunner.isServingRun(runs.getFirst())) {
            spec.commandLine().getOut().printf("report: %s%n", dev.tierlab.reports.QosReport.build(runs.getFirst()));
            return TierlabCli.EXIT_OK;
        }
        for (Path r : runs) {
            if (!Files.isRegularFile(r.resolve("results.jsonl"))) {
                throw new UserError(r + ": not a run directory (no results.jsonl); give a directory tierlab run wrote");
            }
        }
        double[] t = ReportBuilder.Options.DEFAULT.targets();
        if (targets != null) {
            try {
                t = targets.stream().mapToDouble(dev.tierlab.reports.ScenarioText::target).sorted().toArray();
            } catch (IllegalArgumentException e) {
                throw new UserError("--targets: " + e.getMessage());
            }
        }
        ReportBuilder.Options options = new ReportBuilder.Options(includeDisturbed, t, ReportBuilder.Options.DEFAULT.resamples());
        ReportBuilder.Report report = ReportBuilder.build(runs, out != null ? out : runs.getFirst(), options);
        var o = spec.commandLine().getOut();
        o.printf("%d points, %d plots, %d requirement rows%n", report.points().size(), report.charts().size(), report.requirements().size());
        o.printf("answer: %s%n", report.headline().answer());
        o.printf("report: %s%nsummary: %s%nmarkdown: %s%n", report.html(), report.summaryCsv(), report.markdown());
        return TierlabCli.EXIT_OK;
    }
}
