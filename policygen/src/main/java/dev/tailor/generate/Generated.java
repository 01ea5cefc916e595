package dev.tailor.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a generation produced: files by path (sorted, so written and listed the same way every time) and notes. */
public final class Generated {

    final Map<String, String> files = new TreeMap<>();
    /** Report sections by title: lines under each, in the order added. */
    final Map<String, List<String>> notes = new TreeMap<>();

    void file(String path, String content) {
        if (files.put(path, content) != null) {
            throw new IllegalStateException("two generated files at " + path);
        }
    }

    /** Adds a line to a report section, once. */
    void note(String section, String line) {
        List<String> lines = notes.computeIfAbsent(section, k -> new ArrayList<>());
        if (!lines.contains(line)) {
            lines.add(line);
        }
    }

    public Map<String, String> files() {
        return java.util.Collections.unmodifiableMap(files);
    }

    /**
     * Writes every file under {@code out}, replacing what was there, all or nothing: the tree is written beside it
     * first and swapped in by renames, so a failure leaves the old tree as it was.
     */
    public void writeTo(Path out) throws IOException {
        Path target = out.toAbsolutePath();
        Path fresh = target.resolveSibling("." + target.getFileName() + ".tailor-new");
        Path old = target.resolveSibling("." + target.getFileName() + ".tailor-old");
        dev.tailor.util.Trees.delete(fresh);
        dev.tailor.util.Trees.delete(old);
        for (var e : files.entrySet()) {
            Path file = fresh.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
        }
        Files.createDirectories(fresh);
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        dev.tailor.util.Trees.delete(old);
    }
}
