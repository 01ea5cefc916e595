package dev.tailor.generate;

import java.io.IOException;
import java.nio.file.Path;
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
     * Writes every file under {@code out}, all or nothing, as a tree Tailor owns ({@link dev.tailor.util.OwnedTree}):
     * a previous run's files are replaced, anyone else's kept, and a directory that is not Tailor's is refused.
     */
    public void writeTo(Path out) throws IOException {
        dev.tailor.util.OwnedTree.write(out, files);
    }
}
