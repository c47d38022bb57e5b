package dev.tierlab.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "llama-bench compatible baseline: prefill (pp) and decode (tg) throughput.")
final class BenchCommand extends NotBuiltYet {
    @Override
    int issue() {
        return 3;
    }
}
