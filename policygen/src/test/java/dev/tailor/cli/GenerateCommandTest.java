package dev.tailor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.store.ObservationStore;
import dev.tailor.util.OwnedTree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tailor generate} as a command: bad options are usage errors, and the output tree is replaced whole. */
class GenerateCommandTest {

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
            return new CommandLine(new TailorCli()).execute(args);
        } finally {
            System.setErr(err);
            System.setOut(out);
            printed = bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void badOptionsAreUsageErrorsAndWriteNothing() throws Exception {
        String store = ObservationStore.embeddedUrl(dir.resolve("store"));
        Path out = dir.resolve("policies");
        assertEquals(2, run("generate", "--out", out.toString(), "--store", store, "--since", "a week"));
        assertEquals(2, run("generate", "--out", out.toString(), "--store", store, "--external-prefix", "40"));
        assertEquals(2, run("generate", "--out", out.toString(), "--store", store, "--until", "yesterday"));
        assertEquals(2, run("generate", "--out", out.toString(), "--store", store, "--runtime", "youki"));
        // A file of objects that is not YAML: named, with where it goes wrong.
        Path bad = dir.resolve("rbac.yaml");
        Files.writeString(bad, "kind: Role\n  rules: [unclosed\n");
        for (String option : new String[] {"--current-rbac", "--keep-role"}) {
            assertEquals(2, run("generate", "--out", out.toString(), "--store", store, option, bad.toString()));
            assertTrue(printed.startsWith("tailor generate: " + bad + ": not YAML or JSON (line 2, column "), printed);
        }
        assertFalse(Files.exists(out));
    }

    /**
     * A store that is not there — a mistyped --store, a directory where tailor observe never ran — is an error that
     * says so: no empty store is made on the spot, and no report on nothing is written.
     */
    @Test
    void aStoreThatIsNotThereIsAnErrorAndNoneIsMade() throws Exception {
        String missing = ObservationStore.embeddedUrl(dir.resolve("typo"));
        Path out = dir.resolve("policies");
        assertEquals(1, run("generate", "--out", out.toString(), "--store", missing));
        assertTrue(
                printed.startsWith("tailor generate: cannot read the store " + missing + ": there is no store there"),
                printed);
        assertEquals(1, run("impact", "--proposed", dir.toString(), "--store", missing));
        assertTrue(
                printed.startsWith("tailor impact: cannot read the store " + missing + ": there is no store there"),
                printed);
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("typo")), "no store made");
        // A database that holds nothing of Tailor's is no store either.
        String empty = ObservationStore.embeddedUrl(dir.resolve("empty"));
        java.sql.DriverManager.getConnection(empty).close();
        assertEquals(1, run("generate", "--out", out.toString(), "--store", empty));
        assertTrue(printed.contains("the database holds no schema of Tailor's"), printed);
        assertFalse(Files.exists(out));
    }

    @Test
    void aPreviousTreeIsReplacedWholeAndFilesOthersAddedAreKept() throws Exception {
        String store = ObservationStore.embeddedUrl(dir.resolve("store"));
        ObservationStore.open(store).close();
        Path out = dir.resolve("policies");
        assertEquals(0, run("generate", "--out", out.toString(), "--store", store));
        assertTrue(Files.exists(out.resolve("REPORT.md")));
        assertTrue(OwnedTree.listed(out).contains("REPORT.md"), "the marker lists what Tailor wrote");
        // A file an earlier run wrote (listed in the marker) and one the user added (not listed).
        Files.createDirectories(out.resolve("old/deployment.gone"));
        Files.writeString(out.resolve("old/deployment.gone/networkpolicy.yaml"), "stale");
        Files.writeString(
                out.resolve(OwnedTree.MARKER),
                "old/deployment.gone/networkpolicy.yaml\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(out.resolve("kustomization.yaml"), "resources: []\n");
        assertEquals(0, run("generate", "--out", out.toString(), "--store", store));
        assertFalse(Files.exists(out.resolve("old")), "nothing of the previous tree stays behind");
        assertEquals("resources: []\n", Files.readString(out.resolve("kustomization.yaml")), "the user's file is kept");
        assertFalse(OwnedTree.listed(out).contains("kustomization.yaml"));
        // The store is empty: the report and the command say so.
        assertTrue(Files.readString(out.resolve("REPORT.md")).contains("**Nothing was observed in this window**"));
        assertTrue(printed.startsWith("tailor generate: nothing was observed in the window "), printed);
        try (var siblings = Files.list(dir)) {
            assertEquals(
                    0,
                    siblings.filter(p -> p.getFileName().toString().contains("tailor-"))
                            .count(),
                    "no work directories left");
        }
        // A file of the user's that a generated one would overwrite stops the write: the tree stays as it was.
        Files.writeString(out.resolve(OwnedTree.MARKER), "# only the marker\n");
        assertEquals(1, run("generate", "--out", out.toString(), "--store", store));
        assertTrue(
                printed.contains("was not written by Tailor (not in .tailor-tree) and a generated file has its name"),
                printed);
        assertTrue(Files.exists(out.resolve("REPORT.md")));
    }

    /** An unset $OUT, a git checkout, the home directory: refused with one line, and not a file is touched. */
    @Test
    void directoriesTailorDidNotWriteAreRefusedAndKeptWhole() throws Exception {
        String store = ObservationStore.embeddedUrl(dir.resolve("store"));
        ObservationStore.open(store).close();
        assertEquals(2, run("generate", "--out", "", "--store", store));
        assertTrue(printed.startsWith("tailor generate: the output directory is empty (an unset variable?)"), printed);

        Path checkout = dir.resolve("gitops");
        Files.createDirectories(checkout.resolve(".git"));
        Files.writeString(checkout.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(checkout.resolve("README.md"), "mine");
        assertEquals(2, run("generate", "--out", checkout.toString(), "--store", store));
        assertTrue(
                printed.startsWith("tailor generate: " + checkout + " is not empty and was not written by Tailor"),
                printed);
        assertTrue(Files.exists(checkout.resolve(".git/HEAD")) && Files.exists(checkout.resolve("README.md")));

        String home = System.getProperty("user.home");
        System.setProperty("user.home", checkout.toString());
        try {
            assertEquals(2, run("generate", "--out", checkout.toString() + "/.", "--store", store));
            assertTrue(printed.contains("is the home directory"), printed);
        } finally {
            System.setProperty("user.home", home);
        }
        assertEquals(2, run("generate", "--out", "/", "--store", store));
        assertTrue(printed.contains("is the file system's root"), printed);
        assertEquals(2, run("generate", "--out", "..", "--store", store));
        assertTrue(printed.contains("is the working directory or holds it"), printed);
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        assertEquals(2, run("generate", "--out", file.toString(), "--store", store));
        assertTrue(printed.contains("is a file, not a directory"), printed);
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, checkout);
        assertEquals(2, run("generate", "--out", link.toString(), "--store", store));
        assertTrue(printed.contains("is a symbolic link"), printed);
        // An empty directory is fine.
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(0, run("generate", "--out", empty.toString(), "--store", store));
        assertTrue(Files.exists(empty.resolve("REPORT.md")));
    }
}
