package dev.tailor.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory trees, and files in them written whole. */
public final class Trees {
    private Trees() {}

    /**
     * Writes {@code content} to {@code file} whole or not at all: into {@code .NAME.part} beside it (a new file's
     * permissions), then moved into place; the part is removed when that fails.
     */
    public static void writeWhole(Path file, String content) throws IOException {
        Path target = file.toAbsolutePath();
        Path part = target.resolveSibling("." + target.getFileName() + ".part");
        try {
            Files.writeString(part, content);
            Files.move(
                    part,
                    target,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Removes a directory and everything in it; nothing when it does not exist (nor for a file gone meanwhile). */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
