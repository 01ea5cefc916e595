package dev.tailor.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A directory Tailor writes as a whole ({@code tailor generate --out}) without ever deleting what it did not write.
 * Its marker file, {@value #MARKER}, lists the files Tailor wrote there. A new tree is written beside the old one and
 * swapped in by renames; files someone else added to the old tree (not in its marker) are carried over, and one that
 * a new file would overwrite stops the write. An empty or missing directory may become such a tree; a non-empty one
 * without the marker, the file system's root, the home directory and the working directory (or one above it) never.
 */
public final class OwnedTree {

    /** The marker at the tree's root: a comment line, then the files Tailor wrote, one relative path a line. */
    public static final String MARKER = ".tailor-tree";

    private static final String HEADER = "# Written by Tailor; the files below are replaced as a whole by its next run."
            + " Other files here are kept.";

    /** A directory Tailor may not write, with the one-line reason. */
    public static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }

    private OwnedTree() {}

    /** Checks that {@code dir} may become (or already is) a tree Tailor owns; throws with the reason when not. */
    public static void check(Path dir) throws IOException {
        String given = dir.toString();
        if (given.isBlank()) {
            throw new RefusedException("the output directory is empty (an unset variable?): name a directory");
        }
        Path target = dir.toAbsolutePath().normalize();
        if (target.getParent() == null) {
            throw new RefusedException(
                    given + " is the file system's root: name a directory of its own for Tailor's files");
        }
        Path home =
                Path.of(System.getProperty("user.home", "/")).toAbsolutePath().normalize();
        if (target.equals(home)) {
            throw new RefusedException(
                    given + " is the home directory: name a directory of its own for Tailor's files");
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        if (cwd.startsWith(target)) {
            throw new RefusedException(
                    given + " is the working directory or holds it: name a directory of its own for Tailor's files");
        }
        if (Files.isSymbolicLink(target)) {
            throw new RefusedException(given + " is a symbolic link: name the directory itself");
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new RefusedException(given + " is a file, not a directory");
        }
        if (!Files.isRegularFile(target.resolve(MARKER), LinkOption.NOFOLLOW_LINKS) && !isEmpty(target)) {
            throw new RefusedException(given + " is not empty and was not written by Tailor (it has no " + MARKER
                    + "): name a new or empty directory");
        }
    }

    /**
     * Replaces the tree at {@code dir} with {@code files} (relative path → content), all or nothing, keeping every file
     * of the old tree that Tailor did not write.
     */
    public static void write(Path dir, Map<String, String> files) throws IOException {
        check(dir);
        Path target = dir.toAbsolutePath().normalize();
        Set<String> foreign = foreignFiles(target);
        for (String f : foreign) {
            if (files.containsKey(f)) {
                throw new RefusedException(target.resolve(f) + " was not written by Tailor (not in " + MARKER
                        + ") and a generated file has its name: move it away first");
            }
            for (String parent : ancestors(f)) {
                if (files.containsKey(parent)) {
                    throw new RefusedException(target.resolve(f) + " was not written by Tailor (not in " + MARKER
                            + ") and a generated file has the name of its directory (" + parent
                            + "): move it away first");
                }
            }
        }
        for (String f : files.keySet()) {
            for (String parent : ancestors(f)) {
                if (foreign.contains(parent)) {
                    throw new RefusedException(target.resolve(parent) + " was not written by Tailor (not in " + MARKER
                            + ") and generated files need a directory of that name (" + f + "): move it away first");
                }
            }
        }
        Path fresh = target.resolveSibling("." + target.getFileName() + ".tailor-new");
        Path old = target.resolveSibling("." + target.getFileName() + ".tailor-old");
        Trees.delete(fresh);
        if (Files.exists(old) && !Files.exists(target)) {
            // A run that stopped between its two renames: the old tree is put back before anything else happens.
            Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            foreign = foreignFiles(target);
        }
        Trees.delete(old);
        try {
            writeAll(fresh, files);
            for (String f : foreign) {
                Path copy = inside(fresh, f);
                Files.createDirectories(copy.getParent());
                Files.copy(target.resolve(f), copy, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            }
            Files.createDirectories(fresh);
            Files.writeString(
                    fresh.resolve(MARKER),
                    HEADER + "\n" + String.join("\n", new TreeSet<>(files.keySet())) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            Trees.delete(fresh);
            throw e;
        }
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        Trees.delete(old);
    }

    /**
     * Writes the files under {@code root}, a directory at a time on the common pool: creating a file is mostly the
     * kernel's CPU (on the machine of docs/benchmarks.md a large cluster's 4,100 files took 1.2–2.7 s of it), which
     * two threads share. Each directory is made once — asking again for each of its files costs a failed mkdir per
     * file. The first failure, in the files' order, is the one thrown.
     */
    private static void writeAll(Path root, Map<String, String> files) throws IOException {
        Map<Path, List<Map.Entry<Path, String>>> byDirectory = new LinkedHashMap<>();
        for (var e : files.entrySet()) {
            Path file = inside(root, e.getKey());
            byDirectory
                    .computeIfAbsent(file.getParent(), d -> new ArrayList<>())
                    .add(Map.entry(file, e.getValue()));
        }
        List<IOException> failed = byDirectory.entrySet().parallelStream()
                .map(d -> {
                    try {
                        Files.createDirectories(d.getKey());
                        for (var f : d.getValue()) {
                            Files.writeString(f.getKey(), f.getValue(), StandardCharsets.UTF_8);
                        }
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                })
                .filter(java.util.Objects::nonNull)
                .toList();
        if (!failed.isEmpty()) {
            throw failed.get(0);
        }
    }

    /**
     * For a command that writes into {@code dir} file by file (after {@link #check}): runs {@code writing}, then
     * lists in the marker every file there that was not someone else's before — so that a later run may replace
     * them, and knows the rest are not Tailor's.
     */
    public static void writeInPlace(Path dir, Writing writing) throws IOException {
        check(dir);
        Path target = dir.toAbsolutePath().normalize();
        Set<String> foreign = foreignFiles(target);
        writing.write();
        Set<String> ours = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(target)) {
            for (Path p : walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .toList()) {
                String relative = target.relativize(p).toString().replace('\\', '/');
                if (!relative.equals(MARKER) && !foreign.contains(relative)) {
                    ours.add(relative);
                }
            }
        }
        Trees.writeWhole(target.resolve(MARKER), HEADER + "\n" + String.join("\n", ours) + "\n");
    }

    /** What {@link #writeInPlace} runs. */
    @FunctionalInterface
    public interface Writing {
        void write() throws IOException;
    }

    /** Files (and symbolic links) under {@code tree} that its marker does not list: someone else's. */
    static Set<String> foreignFiles(Path tree) throws IOException {
        Set<String> foreign = new TreeSet<>();
        if (!Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
            return foreign;
        }
        Set<String> ours =
                Files.isRegularFile(tree.resolve(MARKER), LinkOption.NOFOLLOW_LINKS) ? listed(tree) : Set.of();
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .toList()) {
                String relative = tree.relativize(p).toString().replace('\\', '/');
                if (!relative.equals(MARKER) && !ours.contains(relative)) {
                    foreign.add(relative);
                }
            }
        }
        return foreign;
    }

    /** The directories a relative path is in, outermost first ({@code a/b/c} → {@code a}, {@code a/b}). */
    public static List<String> ancestors(String relative) {
        List<String> out = new ArrayList<>();
        for (int slash = relative.indexOf('/'); slash > 0; slash = relative.indexOf('/', slash + 1)) {
            out.add(relative.substring(0, slash));
        }
        return out;
    }

    private static Path inside(Path root, String relative) throws IOException {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IOException(relative + ": a path outside the tree");
        }
        return p;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** The files of a tree Tailor wrote, as its marker lists them. */
    public static Set<String> listed(Path tree) throws IOException {
        return listed(Files.readString(tree.resolve(MARKER), StandardCharsets.UTF_8));
    }

    /** The files a marker's text lists. */
    public static Set<String> listed(String marker) {
        Set<String> out = new TreeSet<>();
        for (String line : marker.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                out.add(line.strip());
            }
        }
        return out;
    }
}
