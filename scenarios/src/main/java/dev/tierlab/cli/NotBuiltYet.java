package dev.tierlab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;

/** A verb of the contract whose implementation has not landed: says so and exits 2. */
abstract class NotBuiltYet implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The issue that builds this verb. */
    abstract int issue();

    @Override
    public Integer call() {
        spec.commandLine().getErr().printf("tierlab %s: not built yet (tracked in issue #%d)%n", spec.name(), issue());
        return TierlabCli.EXIT_BAD_INPUT;
    }
}
