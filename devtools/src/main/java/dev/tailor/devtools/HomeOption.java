package dev.tailor.devtools;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --home} option of the commands that read the repository's files, and their work directories. */
final class HomeOption {

    @Option(
            names = "--home",
            description = "Tailor's repository (default: the tailor.home property or the working directory)")
    Path home;

    /** The repository: --home, else what ./tailor passes as tailor.home, else the working directory. */
    Path root() {
        return home != null ? home : Path.of(System.getProperty("tailor.home", "."));
    }

    /** Removes a command's temporary work directory and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        dev.tailor.util.Trees.delete(dir);
    }
}
