package dev.tailor.devtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.cli.TailorCli;
import dev.tailor.testing.RepositoryPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The developer's commands: what ./tailor sends to them, and the product's contract (exit codes, option checks). */
class DevToolsTest {

    @Test
    void theLauncherSendsExactlyTheDevelopersCommandsHere() throws Exception {
        Set<String> here = new CommandLine(new DevTools()).getSubcommands().keySet();
        Matcher listed = Pattern.compile("(?m)^dev_commands=\" (.*) \"$")
                .matcher(Files.readString(RepositoryPaths.root().resolve("tailor")));
        assertTrue(listed.find(), "./tailor names the developer's commands in dev_commands");
        assertEquals(
                new TreeSet<>(here), new TreeSet<>(Arrays.asList(listed.group(1).split(" "))));
        Set<String> product = new CommandLine(new TailorCli()).getSubcommands().keySet();
        for (String name : here) {
            assertTrue(!product.contains(name), name + " is both a product and a developer command");
        }
    }

    @Test
    void theBenchesStartProductCommandsWithTheLaunchersJitOptions() throws Exception {
        String launcher = Files.readString(RepositoryPaths.root().resolve("tailor"));
        assertTrue(
                launcher.contains("jit_opts=(" + String.join(" ", CliProcess.JIT_OPTIONS) + ")"),
                "./tailor's JIT options for observe");
        assertTrue(
                launcher.contains("  jit_opts=(" + String.join(" ", CliProcess.SHORT_COMMAND_JIT_OPTIONS) + ")"),
                "./tailor's JIT options for the other product commands");
        java.util.List<String> observe =
                CliProcess.command(RepositoryPaths.root(), "512m", java.util.List.of("observe", "--help"));
        java.util.List<String> impact =
                CliProcess.command(RepositoryPaths.root(), "512m", java.util.List.of("impact", "--help"));
        assertTrue(observe.containsAll(CliProcess.JIT_OPTIONS), observe.toString());
        assertTrue(!observe.containsAll(CliProcess.SHORT_COMMAND_JIT_OPTIONS), observe.toString());
        assertTrue(impact.containsAll(CliProcess.SHORT_COMMAND_JIT_OPTIONS), impact.toString());
        assertTrue(!impact.containsAll(CliProcess.JIT_OPTIONS), impact.toString());
    }

    @Test
    void everyCommandHasTheProductsExitCodesAndVersion() {
        for (String name : new CommandLine(new DevTools()).getSubcommands().keySet()) {
            CommandLine cli = TailorCli.commandLine(DevTools.class, new String[] {name});
            assertEquals("tailor " + name, cli.getCommandName());
            String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertTrue(help.contains("Exit codes:") && help.contains("3   would deny"), name + ": " + help);
            StringWriter out = new StringWriter();
            cli.setOut(new PrintWriter(out));
            assertEquals(TailorCli.OK, cli.execute("--version"), name);
            assertEquals("tailor 0.1.0", out.toString().strip(), name);
            cli.setErr(new PrintWriter(new StringWriter()));
            assertEquals(TailorCli.USAGE, cli.execute("--no-such-option"), name);
        }
    }

    @Test
    void aNegativeOrMalformedNumberIsAUsageError() {
        for (String[] wrong : new String[][] {
            {"bench", "--rates", "-5"},
            {"bench", "--connections", "-1"},
            {"bench", "--new-connection-rate", "-1"},
            {"bench-ingest", "--audit-mb", "-1"},
            {"fixture-week", "--out", "x", "--seed", "1e9"}
        }) {
            CommandLine cli = TailorCli.commandLine(DevTools.class, wrong);
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));
            assertEquals(
                    TailorCli.USAGE, cli.execute(Arrays.copyOfRange(wrong, 1, wrong.length)), String.join(" ", wrong));
            assertTrue(err.toString().startsWith("Invalid value for option '"), err.toString());
        }
    }

    @Test
    void theNewConnectionRunIsSkippedWithARateOfZero() {
        // Its help says 0 skips it; every other rate of Tailor's must be above 0.
        CommandLine cli = TailorCli.commandLine(DevTools.class, new String[] {"bench"});
        CommandLine.ParseResult parsed = cli.parseArgs("--new-connection-rate", "0", "--rates", "500");
        assertEquals(0.0, parsed.matchedOptionValue("--new-connection-rate", -1.0));
        assertEquals(
                TailorCli.USAGE,
                TailorCli.commandLine(DevTools.class, new String[] {"bench"}).execute("--rates", "0"));
    }
}
