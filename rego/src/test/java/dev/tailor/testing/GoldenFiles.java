package dev.tailor.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory (tree) of generated files kept in the repository, by relative path: compared with what a generator writes now, and
 * rewritten instead when the build runs with {@code -Dtailor.update-golden=true}.
 */
public final class GoldenFiles {
    private GoldenFiles() {}

    /**
     * The differences between {@code dir} and {@code expected} (file name → content): "missing: …", "extra: …",
     * "changed: …" — none when they are equal.
     */
    public static List<String> differences(Path dir, Map<String, String> expected) throws IOException {
        if (Boolean.getBoolean("tailor.update-golden")) {
            rewrite(dir, expected);
        }
        List<String> problems = new ArrayList<>();
        List<String> present = List.of();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                present = files.filter(Files::isRegularFile)
                        .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                        .sorted()
                        .toList();
            }
        }
        present.stream().filter(name -> !expected.containsKey(name)).forEach(name -> problems.add("extra: " + name));
        for (var e : expected.entrySet()) {
            Path file = dir.resolve(e.getKey());
            if (!Files.exists(file)) {
                problems.add("missing: " + e.getKey());
            } else if (!Files.readString(file, StandardCharsets.UTF_8).equals(e.getValue())) {
                problems.add("changed: " + e.getKey());
            }
        }
        return problems;
    }

    private static void rewrite(Path dir, Map<String, String> expected) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.walk(dir)) {
            for (Path p : old.filter(Files::isRegularFile).toList()) {
                if (!expected.containsKey(dir.relativize(p).toString().replace('\\', '/'))) {
                    Files.delete(p);
                }
            }
        }
        for (var e : expected.entrySet()) {
            Path file = dir.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
        }
    }
}
