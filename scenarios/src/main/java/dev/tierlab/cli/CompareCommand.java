package dev.tierlab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare two runs point by point (ratio of medians, bootstrap CI, Mann-Whitney).")
final class CompareCommand extends NotBuiltYet {

    @Parameters(index = "0", paramLabel = "RUN_A") java.nio.file.Path a;
    @Parameters(index = "1", paramLabel = "RUN_B") java.nio.file.Path b;

    @Override
    int issue() {
        return 5;
    }
}
