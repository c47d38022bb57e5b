package dev.tierlab.cli;

import dev.tierlab.scenario.Scenario;
import dev.tierlab.scenario.ScenarioException;
import dev.tierlab.scenario.ScenarioLoader;
import dev.tierlab.scenario.SweepPlanner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check scenario files and report every error with its place.",
            "Each error is one line: file:line:column: field: what to write."})
final class ValidateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO.yaml")
    Path scenario;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Scenario s = ScenarioLoader.load(scenario);
            int points = (int) SweepPlanner.plan(s).stream().filter(p -> !p.baseline()).count();
            String repeats = s.mode().equals("trace") ? s.repeats() + " traced repeats per workload"
                    : s.precision() > 0 ? "%d-%d pairs to +-%.1f%%".formatted(s.repeats(), s.maxRepeats(), s.precision() * 100)
                    : s.repeats() + " pairs";
            if (dev.tierlab.scenario.ServingSpec.isServing(s.root().get("workload"))) {
                repeats = dev.tierlab.scenario.ServingSpec.of(s).loads() + " loads, serving (with the all-on-top-tier baseline: "
                        + (points + 1) + " configurations)";
            }
            out.printf("%s: ok: %d points x %s (%s, %s, %s mode)%n", scenario, points, repeats, s.model().label(), s.engine(), s.mode());
            return TierlabCli.EXIT_OK;
        } catch (ScenarioException e) {
            e.problems().forEach(err::println);
            err.printf("%s: %d problem%s%n", scenario, e.problems().size(), e.problems().size() == 1 ? "" : "s");
            return TierlabCli.EXIT_BAD_INPUT;
        }
    }
}
