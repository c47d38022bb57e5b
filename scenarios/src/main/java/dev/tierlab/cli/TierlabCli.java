package dev.tierlab.cli;

import dev.tierlab.inference.gguf.GgufFormatException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tierlab} command: one subcommand class per verb of the DESIGN contract. */
@Command(name = "tierlab",
        mixinStandardHelpOptions = true,
        versionProvider = TierlabCli.Version.class,
        description = "Storage-tier emulation testbed for LLM inference.",
        subcommands = {
            RunCommand.class,
            ValidateCommand.class,
            BenchCommand.class,
            ModelCommand.class,
            CalibrateCommand.class,
            ReportCommand.class,
            CompareCommand.class,
            MergeCommand.class,
            DoctorCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class TierlabCli implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a verb is required (see tierlab --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new TierlabCli());
        cli.setExecutionExceptionHandler(TierlabCli::handle);
        cli.setParameterExceptionHandler(TierlabCli::badCommandLine);
        return cli;
    }

    /**
     * A command line picocli cannot parse (unknown option or verb, missing or mistyped value) is one
     * line with exit 2: the error and where to read more, not the whole usage text.
     */
    private static int badCommandLine(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
        StringBuilder line = new StringBuilder("tierlab: ").append(message);
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions().stream().limit(3).toList())).append("?)");
        }
        if (!message.contains("--help")) {
            line.append("; see ").append(cmd.getCommandSpec().qualifiedName()).append(" --help");
        }
        cmd.getErr().println(line);
        return EXIT_BAD_INPUT;
    }

    /** Typed errors become one line on stderr; only unexpected ones mention a stack trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        switch (e) {
            case UserError u -> {
                err.println("tierlab: " + u.getMessage());
                return EXIT_BAD_INPUT;
            }
            case dev.tierlab.emulator.SpecException s -> {
                err.println("tierlab: " + s.getMessage());
                return EXIT_BAD_INPUT;
            }
            case dev.tierlab.scenario.ScenarioException s -> {
                s.problems().forEach(p -> err.println("tierlab: " + p));
                return EXIT_BAD_INPUT;
            }
            case dev.tierlab.emulator.cuda.CudaUnavailableException c -> {
                err.println("tierlab: " + c.getMessage());
                return EXIT_BAD_INPUT;
            }
            case GgufFormatException g -> {
                err.println("tierlab: " + g.getMessage());
                return EXIT_BAD_INPUT;
            }
            default -> {
                err.println("tierlab: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                if (System.getenv("TIERLAB_DEBUG") != null) {
                    e.printStackTrace(err);
                } else {
                    err.println("tierlab: set TIERLAB_DEBUG=1 for the stack trace");
                }
                return EXIT_FAILURE;
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            Properties p = new Properties();
            try (InputStream in = TierlabCli.class.getResourceAsStream("/tierlab-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"tierlab " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ")"};
        }
    }
}
