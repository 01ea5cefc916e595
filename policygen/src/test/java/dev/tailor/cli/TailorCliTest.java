package dev.tailor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `tailor NAME …` builds only the command it names; its usage and errors read as they do under `tailor`. */
class TailorCliTest {

    @Test
    void aCommandNamedFirstIsBuiltAloneUnderItsFullName() {
        int commands = TailorCli.class.getAnnotation(CommandLine.Command.class).subcommands().length;
        CommandLine all = TailorCli.commandLine(TailorCli.class, new String[0]);
        // The product's commands only: the demo, the benches and fixture-week are the developer's (devtools).
        assertEquals(
                java.util.Set.of("observe", "generate", "impact", "pr", "propose", "enforce", "audit"),
                all.getSubcommands().keySet());
        for (var sub : all.getSubcommands().entrySet()) {
            CommandLine alone = TailorCli.commandLine(TailorCli.class, new String[] {sub.getKey(), "--help"});
            assertEquals("tailor " + sub.getKey(), alone.getCommandName());
            assertTrue(alone.getSubcommands().isEmpty(), sub.getKey());
            assertEquals(
                    sub.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF),
                    alone.getUsageMessage(CommandLine.Help.Ansi.OFF));
        }
        assertEquals(
                commands,
                TailorCli.commandLine(TailorCli.class, new String[] {"--help"})
                        .getSubcommands()
                        .size());
        assertEquals(
                commands,
                TailorCli.commandLine(TailorCli.class, new String[] {"nope"})
                        .getSubcommands()
                        .size());
        assertEquals(
                commands,
                TailorCli.commandLine(TailorCli.class, new String[0])
                        .getSubcommands()
                        .size());
    }

    @Test
    void everyCommandPrintsTheVersion() {
        for (String name : new CommandLine(new TailorCli()).getSubcommands().keySet()) {
            // Alone, as `tailor NAME --version` builds it, and within the whole of `tailor`.
            assertEquals(
                    "tailor 0.1.0",
                    version(TailorCli.commandLine(TailorCli.class, new String[] {name}), "--version"),
                    name);
            assertEquals("tailor 0.1.0", version(new CommandLine(new TailorCli()), name, "--version"), name);
        }
        assertEquals("tailor 0.1.0", version(new CommandLine(new TailorCli()), "--version"));
    }

    private static String version(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(TailorCli.OK, cli.execute(args));
        return out.toString().strip();
    }

    @Test
    void aWrongOptionIsReportedWithTheCommandsUsage() {
        CommandLine alone = TailorCli.commandLine(TailorCli.class, new String[] {"observe", "--bogus"});
        StringWriter err = new StringWriter();
        alone.setErr(new PrintWriter(err));
        assertEquals(TailorCli.USAGE, alone.execute("--bogus"));
        assertTrue(err.toString().startsWith("Unknown option: '--bogus'\nUsage: tailor observe "), err.toString());
    }

    /** A file system exception's message is only the file: what failed says why too. */
    @Test
    void aFileSystemFailureSaysWhy() {
        assertEquals(
                "/x/y: no such file or directory", TailorCli.describe(new java.nio.file.NoSuchFileException("/x/y")));
        assertEquals(
                "/proc/z: permission denied", TailorCli.describe(new java.nio.file.AccessDeniedException("/proc/z")));
        assertEquals(
                "/a: Read-only file system",
                TailorCli.describe(new java.nio.file.FileSystemException("/a", null, "Read-only file system")));
        assertEquals("a plain message", TailorCli.describe(new IllegalStateException("a plain message")));
    }

    /** One exit-code contract: every command lists it under --help, and a command line given wrong is 2, whatever the fault. */
    @Test
    void everyCommandHasTheSameExitCodes() {
        for (String name : new CommandLine(new TailorCli()).getSubcommands().keySet()) {
            CommandLine cli = TailorCli.commandLine(TailorCli.class, new String[] {name});
            String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertTrue(help.contains("Exit codes:") && help.contains("3   would deny"), name + ": " + help);
            cli.setErr(new PrintWriter(new StringWriter()));
            assertEquals(TailorCli.USAGE, cli.execute("--no-such-option"), name);
        }
        for (String[] wrong : new String[][] {
            {"observe", "--threads", "-3", "--audit-log", "x"},
            {"observe", "--threads", "lots", "--audit-log", "x"},
            {"generate", "--out", "x", "--max-resource-names", "-1"},
            {"generate", "--out", "x", "--external-prefix", "-2"}
        }) {
            CommandLine cli = TailorCli.commandLine(TailorCli.class, wrong);
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));
            assertEquals(
                    TailorCli.USAGE,
                    cli.execute(java.util.Arrays.copyOfRange(wrong, 1, wrong.length)),
                    String.join(" ", wrong));
            assertTrue(err.toString().startsWith("Invalid value for option '"), err.toString());
        }
        // What a command throws is an error (1), said in one line.
        CommandLine failing = TailorCli.commandLine(TailorCli.class, new String[] {"observe"});
        StringWriter err = new StringWriter();
        failing.setErr(new PrintWriter(err));
        failing.setExecutionStrategy(parsed -> {
            throw new CommandLine.ExecutionException(failing, "x", new java.nio.file.NoSuchFileException("/gone"));
        });
        assertEquals(TailorCli.ERROR, failing.execute("--audit-log", "x"));
    }
}
