package dev.tailor.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds the repository's test-fixtures/ from a module's test run. */
final class Fixtures {
    private Fixtures() {}

    static Path root() {
        String configured = System.getProperty("repository.root");
        Path start = configured != null ? Paths.get(configured) : Paths.get("").toAbsolutePath();
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("test-fixtures"))) {
                return dir.resolve("test-fixtures");
            }
        }
        throw new IllegalStateException("no test-fixtures/ above " + start);
    }
}
