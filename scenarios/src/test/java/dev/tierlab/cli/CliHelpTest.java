package dev.tierlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code tierlab --help} (and {@code tierlab model --help}) list each command with its summary on
 * one line, and the summary is a whole sentence: picocli shows only the first description line
 * there and wraps it at 80 columns, so a long or unfinished first line is cut mid-sentence.
 */
class CliHelpTest {

    @Test
    void everyCommandSummaryIsOneCompleteLine() {
        List<CommandLine> parents = new ArrayList<>(List.of(TierlabCli.commandLine()));
        int checked = 0;
        for (int i = 0; i < parents.size(); i++) {
            CommandLine parent = parents.get(i);
            String verb = parent.getCommandSpec().qualifiedName().replaceFirst("^tierlab ?", "");
            CliTest.Result r = verb.isEmpty() ? CliTest.run("--help") : CliTest.run((verb + " --help").split(" "));
            assertEquals(0, r.exit(), r.err());
            List<String> lines = r.out().lines().toList();
            for (Map.Entry<String, CommandLine> sub : parent.getSubcommands().entrySet()) {
                String name = sub.getKey();
                // picocli lists a command by its header's first line, or else its description's
                CommandLine.Model.UsageMessageSpec usage = sub.getValue().getCommandSpec().usageMessage();
                String[] description = usage.header().length > 0 ? usage.header() : usage.description();
                assertTrue(description.length > 0, name + " has a description");
                String summary = description[0].replace("%%", "%");
                assertTrue(summary.matches("[A-Z].*[.?]"), "'" + name + "' summary is a sentence: '" + summary + "'");
                int at = -1;
                for (int j = 0; j < lines.size(); j++) {
                    if (lines.get(j).matches("  " + java.util.regex.Pattern.quote(name) + " {2,}.*")) {
                        at = j;
                    }
                }
                assertTrue(at >= 0, name + " is listed in\n" + r.out());
                assertEquals(summary, lines.get(at).substring(2 + name.length()).strip(), "the whole summary on one line:\n" + r.out());
                boolean continued = at + 1 < lines.size() && lines.get(at + 1).matches(" {4,}\\S.*");
                assertTrue(!continued, "'" + name + "' summary wraps onto a second line:\n" + r.out());
                if (!sub.getValue().getSubcommands().isEmpty()) {
                    parents.add(sub.getValue());
                }
                checked++;
            }
        }
        assertTrue(checked >= 10, "checked " + checked + " commands");
    }
}
