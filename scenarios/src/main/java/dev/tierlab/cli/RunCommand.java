package dev.tierlab.cli;

import dev.tierlab.reports.ReportBuilder;
import dev.tierlab.run.Execution;
import dev.tierlab.run.ResultWriteException;
import dev.tierlab.run.ScenarioRunner;
import dev.tierlab.scenario.Scenario;
import dev.tierlab.scenario.ScenarioException;
import dev.tierlab.scenario.ScenarioLoader;
import dev.tierlab.scenario.SweepPlanner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a scenario's sweep and write a run directory and its report.",
            "Expands the sweep, measures every point, writes a run directory and its report.",
            "Every finished repeat is kept; an interrupted run continues with --resume DIR."})
final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO.yaml")
    Path scenario;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<name>-<time>).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR: only missing repeats run.")
    Path resume;

    @Option(names = "--shard", paramLabel = "I/N", description = "Run only the workloads whose index mod N is I-1 (1 <= I <= N); each workload keeps its baselines.")
    String shard;

    @Option(names = "--dry-run", description = "Print the points that would run, and stop.")
    boolean dryRun;

    @Option(names = "--no-report", description = "Skip the report at the end (tierlab report DIR makes it later).")
    boolean noReport;

    @Option(names = "--in-process", description = "Run the engines in this JVM instead of supervised worker JVMs (a native crash then ends the run).")
    boolean inProcess;

    @Option(names = "--repeat-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Kill a worker whose repeat (or warm-up) runs longer than this; the repeat is recorded as failed (default: ${DEFAULT-VALUE}).")
    long repeatTimeout;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Scenario s;
        try {
            s = ScenarioLoader.load(scenario);
        } catch (ScenarioException e) {
            e.problems().forEach(err::println);
            return TierlabCli.EXIT_BAD_INPUT;
        }
        int[] sh = parseShard();
        if (out != null && resume != null) {
            throw new UserError("--out and --resume: give one (--resume DIR continues the run in DIR)");
        }
        Path dir = resume != null ? resume : out != null ? out
                : Path.of("runs", s.name() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (resume != null && !Files.isDirectory(resume)) {
            throw new UserError("--resume: no run directory " + resume);
        }
        if (resume == null && Files.exists(dir.resolve("results.jsonl"))) {
            throw new UserError("--out: %s already holds results; continue it with --resume %s or choose another directory".formatted(dir, dir));
        }
        if (repeatTimeout < 1) {
            throw new UserError("--repeat-timeout: %d is not a positive number of seconds (e.g. --repeat-timeout 600)".formatted(repeatTimeout));
        }
        ScenarioRunner runner = new ScenarioRunner(s, scenario, new ScenarioRunner.Options(dir, sh[0], sh[1],
                EmbeddedModels.cacheDir(), CalibrateCommand.defaultFile(), err, System.console() != null,
                inProcess ? Execution.inProcess() : Execution.supervised(repeatTimeout)));
        List<SweepPlanner.Point> points = runner.points();
        if (dryRun) {
            for (SweepPlanner.Point p : points) {
                o.printf("%3d  %s  (%s)%n", p.index() + 1, p.label(), s.mode().equals("trace") ? s.repeats() + " traced repeats"
                        : s.precision() > 0 ? "%d-%d pairs, to +-%.1f%%".formatted(s.repeats(), s.maxRepeats(), s.precision() * 100)
                        : s.repeats() + " pairs");
            }
            o.printf("%d points, at least %d repeats, would run into %s%n", points.size(), runner.plannedRepeats(points), dir);
            return TierlabCli.EXIT_OK;
        }
        ScenarioRunner.Outcome outcome;
        try {
            outcome = runner.run();
        } catch (ResultWriteException e) {
            // The file it was replacing is intact: every repeat finished before is kept and resumable.
            int kept;
            try {
                kept = dev.tierlab.run.RunDirectory.open(dir).resultCount();
            } catch (IOException unreadable) {
                kept = 0;
            }
            err.printf("tierlab: cannot write %s; the run stops, and its %d finished repeats are kept in %s "
                    + "(make room, then continue with: tierlab run %s --resume %s)%n", e.getMessage(), kept, dir, scenario, dir);
            return TierlabCli.EXIT_FAILURE;
        } catch (dev.tierlab.emulator.SpecException e) {
            // Found only once the model is known (e.g. a tier's requests per step): point at the field in the file.
            String where;
            try {
                where = dev.tierlab.scenario.LocatedYaml.read(scenario).where(e.field());
            } catch (RuntimeException notLocated) {
                where = scenario.toString();
            }
            err.println("tierlab: " + where + ": " + e.getMessage());
            return TierlabCli.EXIT_BAD_INPUT;
        }
        o.printf("ran %d repeats of %d points (%d kept from before) into %s%n", outcome.repeatsRun(), outcome.pointsRun(),
                outcome.repeatsKept(), outcome.dir());
        if (!noReport && dev.tierlab.run.ServingRunner.isServingRun(outcome.dir())) {
            o.printf("report: %s%n", dev.tierlab.reports.QosReport.build(outcome.dir()));
        } else if (!noReport) {
            ReportBuilder.Report report = ReportBuilder.build(List.of(outcome.dir()), outcome.dir());
            o.printf("report: %s%n", report.html());
        }
        return TierlabCli.EXIT_OK;
    }

    private int[] parseShard() {
        if (shard == null) {
            return new int[] {0, 1};
        }
        String[] parts = shard.split("/");
        try {
            int i = Integer.parseInt(parts[0].trim());
            int n = Integer.parseInt(parts[1].trim());
            if (parts.length != 2 || n < 1 || i < 1 || i > n) {
                throw new NumberFormatException();
            }
            return new int[] {i - 1, n};
        } catch (RuntimeException e) {
            throw new UserError("--shard: '%s' is not I/N with 1 <= I <= N (e.g. --shard 2/4)".formatted(shard));
        }
    }
}
