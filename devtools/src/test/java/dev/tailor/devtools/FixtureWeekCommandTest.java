package dev.tailor.devtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.cli.TailorCli;
import dev.tailor.util.OwnedTree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureWeekCommandTest {

    @TempDir
    Path dir;

    /** What the last {@link #run} printed. */
    private String printed = "";

    private int run(String... args) {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream sink = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setErr(sink);
            System.setOut(sink);
            return TailorCli.execute(DevTools.class, args);
        } finally {
            System.setErr(err);
            System.setOut(out);
            printed = bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** tailor fixture-week writes its files into a directory of its own too: never over someone's audit.log. */
    @Test
    void fixtureWeekWritesOnlyIntoADirectoryOfItsOwn() throws Exception {
        String home = dev.tailor.testing.RepositoryPaths.root().toString();
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("audit.log"), "my own audit log\n");
        assertEquals(2, run("fixture-week", "--out", mine.toString(), "--home", home));
        assertTrue(
                printed.startsWith("tailor fixture-week: " + mine + " is not empty and was not written by Tailor"),
                printed);
        assertEquals("my own audit log\n", Files.readString(mine.resolve("audit.log")));
        Path week = dir.resolve("week");
        assertEquals(0, run("fixture-week", "--out", week.toString(), "--home", home), printed);
        assertTrue(OwnedTree.listed(week).contains("expected-summary.json")
                && OwnedTree.listed(week).contains("audit.log"));
        assertEquals(
                0, run("fixture-week", "--out", week.toString(), "--home", home), "its own directory: written again");
    }
}
