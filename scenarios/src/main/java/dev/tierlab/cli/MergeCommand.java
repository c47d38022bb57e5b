package dev.tierlab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Join the run directories of shards into one.")
final class MergeCommand extends NotBuiltYet {

    @Parameters(arity = "1..*", paramLabel = "DIR") java.util.List<java.nio.file.Path> dirs;
    @Option(names = "-o", required = true, paramLabel = "DIR") java.nio.file.Path out;

    @Override
    int issue() {
        return 5;
    }
}
