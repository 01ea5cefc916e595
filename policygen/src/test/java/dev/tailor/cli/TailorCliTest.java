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
        CommandLine all = new CommandLine(new TailorCli());
        assertEquals(10, all.getSubcommands().size());
        for (var sub : all.getSubcommands().entrySet()) {
            CommandLine alone = TailorCli.commandLine(new String[] {sub.getKey(), "--help"});
            assertEquals("tailor " + sub.getKey(), alone.getCommandName());
            assertTrue(alone.getSubcommands().isEmpty(), sub.getKey());
            assertEquals(sub.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF), alone.getUsageMessage(CommandLine.Help.Ansi.OFF));
        }
        assertEquals(10, TailorCli.commandLine(new String[] {"--help"}).getSubcommands().size());
        assertEquals(10, TailorCli.commandLine(new String[] {"nope"}).getSubcommands().size());
        assertEquals(10, TailorCli.commandLine(new String[0]).getSubcommands().size());
    }

    @Test
    void everyCommandPrintsTheVersion() {
        for (String name : new CommandLine(new TailorCli()).getSubcommands().keySet()) {
            // Alone, as `tailor NAME --version` builds it, and within the whole of `tailor`.
            assertEquals("tailor 0.1.0", version(TailorCli.commandLine(new String[] {name}), "--version"), name);
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
        CommandLine alone = TailorCli.commandLine(new String[] {"observe", "--bogus"});
        StringWriter err = new StringWriter();
        alone.setErr(new PrintWriter(err));
        assertEquals(TailorCli.USAGE, alone.execute("--bogus"));
        assertTrue(err.toString().startsWith("Unknown option: '--bogus'\nUsage: tailor observe "), err.toString());
    }

    /** A file system exception's message is only the file: what failed says why too. */
    @Test
    void aFileSystemFailureSaysWhy() {
        assertEquals("/x/y: no such file or directory", TailorCli.describe(new java.nio.file.NoSuchFileException("/x/y")));
        assertEquals("/proc/z: permission denied", TailorCli.describe(new java.nio.file.AccessDeniedException("/proc/z")));
        assertEquals("/a: Read-only file system",
                TailorCli.describe(new java.nio.file.FileSystemException("/a", null, "Read-only file system")));
        assertEquals("a plain message", TailorCli.describe(new IllegalStateException("a plain message")));
    }
}
