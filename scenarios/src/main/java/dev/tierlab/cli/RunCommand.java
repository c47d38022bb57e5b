package dev.tierlab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a scenario: expand its sweep, measure every point, write a run directory and report.")
final class RunCommand extends NotBuiltYet {

    @Parameters(index = "0", paramLabel = "SCENARIO.yaml") java.nio.file.Path scenario;
    @Option(names = "--out") java.nio.file.Path out;
    @Option(names = "--resume") java.nio.file.Path resume;
    @Option(names = "--shard", paramLabel = "I/N") String shard;
    @Option(names = "--dry-run") boolean dryRun;

    @Override
    int issue() {
        return 5;
    }
}
