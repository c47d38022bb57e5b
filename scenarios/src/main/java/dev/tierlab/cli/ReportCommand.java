package dev.tierlab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Build curves, histograms and requirement tables from run directories.")
final class ReportCommand extends NotBuiltYet {

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR") java.util.List<java.nio.file.Path> runs;

    @Override
    int issue() {
        return 5;
    }
}
