package dev.tierlab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Measure this machine: DRAM bandwidth, engine streaming bandwidth, injector accuracy, disk.")
final class CalibrateCommand extends NotBuiltYet {

    @Option(names = "--out", paramLabel = "FILE") java.nio.file.Path out;

    @Override
    int issue() {
        return 4;
    }
}
