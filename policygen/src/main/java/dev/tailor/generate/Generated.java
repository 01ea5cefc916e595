package dev.tailor.generate;

import dev.tailor.seccomp.OciSeccompProfile;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * What a generation produced: files by path (sorted, so written and listed the same way every time) and notes. A
 * policy file keeps the typed objects it is written from and is rendered the first time the files are read, so a
 * preview in the same process (the impact backtest) evaluates the objects without writing and parsing them.
 */
public final class Generated {

    /** Each file's content: its text, the Kubernetes objects of a YAML file, or the seccomp profile of a JSON one. */
    private final Map<String, Object> entries = new TreeMap<>();
    /** Report sections by title: lines under each, in the order added. */
    final Map<String, List<String>> notes = new TreeMap<>();

    private Map<String, String> rendered;

    void file(String path, String content) {
        put(path, content);
    }

    /** A YAML file of these objects, separated by {@code ---}. */
    void yaml(String path, List<? extends KubernetesResource> objects) {
        put(path, List.copyOf(objects));
    }

    /** An OCI seccomp profile as a JSON file. */
    void json(String path, OciSeccompProfile profile) {
        put(path, profile);
    }

    private void put(String path, Object content) {
        if (entries.put(path, content) != null) {
            throw new IllegalStateException("two generated files at " + path);
        }
        rendered = null;
    }

    /** Adds another generation's files and notes after this one's (a file at a path both have is an error). */
    void add(Generated other) {
        other.entries.forEach(this::put);
        other.notes.forEach((section, lines) -> lines.forEach(line -> note(section, line)));
    }

    /** How many files. */
    int size() {
        return entries.size();
    }

    /** Adds a line to a report section, once. */
    void note(String section, String line) {
        List<String> lines = notes.computeIfAbsent(section, k -> new ArrayList<>());
        if (!lines.contains(line)) {
            lines.add(line);
        }
    }

    /** The files as written: path → content. */
    public Map<String, String> files() {
        if (rendered == null) {
            // Rendered on both cores (each file alone, by one thread-safe writer), collected in path order.
            Map<String, String> files = entries.entrySet().parallelStream()
                    .collect(java.util.stream.Collectors.toMap(
                            Map.Entry::getKey, e -> render(e.getValue()), (a, b) -> a, TreeMap::new));
            rendered = Collections.unmodifiableMap(files);
        }
        return rendered;
    }

    @SuppressWarnings("unchecked")
    private static String render(Object content) {
        if (content instanceof OciSeccompProfile profile) {
            return Manifests.json(profile);
        }
        if (content instanceof List<?> objects) {
            return Manifests.yaml((List<? extends KubernetesResource>) objects);
        }
        return (String) content;
    }

    /**
     * Each file's typed content, by path: every Kubernetes object of a YAML file, a JSON file's seccomp profile;
     * text files (REPORT.md) have none.
     */
    public void forEachObject(BiConsumer<String, Object> action) {
        entries.forEach((path, content) -> {
            if (content instanceof List<?> objects) {
                objects.forEach(o -> action.accept(path, o));
            } else if (!(content instanceof String)) {
                action.accept(path, content);
            }
        });
    }

    /**
     * Writes every file under {@code out}, all or nothing, as a tree Tailor owns ({@link dev.tailor.util.OwnedTree}):
     * a previous run's files are replaced, anyone else's kept, and a directory that is not Tailor's is refused.
     */
    public void writeTo(Path out) throws IOException {
        dev.tailor.util.OwnedTree.write(out, files());
    }
}
