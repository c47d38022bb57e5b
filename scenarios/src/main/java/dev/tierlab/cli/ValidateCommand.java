package dev.tierlab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a scenario file and report every error as file:line:column.")
final class ValidateCommand extends NotBuiltYet {

    @Parameters(index = "0", paramLabel = "SCENARIO.yaml") java.nio.file.Path scenario;

    @Override
    int issue() {
        return 5;
    }
}
