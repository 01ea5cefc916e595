package dev.tailor.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tailor's image archive (tools/image) unpacked as a container runtime would (e2e/image-unpack.py), so that its
 * entrypoint — the image's Java runtime with its options and class-data archive — runs on this machine as it runs
 * in a cluster.
 *
 * @param root the unpacked file system
 * @param entrypoint the image's entrypoint, as its configuration gives it (paths inside the image)
 */
public record LocalImage(Path root, List<String> entrypoint) {

    /** The image's C library's directory: Debian's, merged under /usr. */
    private static final String LIBRARIES = "usr/lib/x86_64-linux-gnu";

    public LocalImage {
        entrypoint = List.copyOf(entrypoint);
    }

    /** Unpacks {@code archive} into {@code dir}, with {@code repo}'s e2e/image-unpack.py. */
    public static LocalImage unpack(Path repo, Path archive, Path dir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(archive + " is missing: build the image first (tools/image)");
        }
        Process unpack = new ProcessBuilder(
                        "python3", repo.resolve("e2e/image-unpack.py").toString(), archive.toString(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String printed = new String(unpack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (unpack.waitFor() != 0) {
            throw new IllegalStateException("e2e/image-unpack.py " + archive + " failed with " + unpack.exitValue());
        }
        List<String> entrypoint = new ArrayList<>();
        for (JsonNode arg : new ObjectMapper().readTree(printed).path("Entrypoint")) {
            entrypoint.add(arg.asText());
        }
        if (entrypoint.isEmpty()) {
            throw new IllegalStateException(archive + " has no entrypoint");
        }
        return new LocalImage(dir.toAbsolutePath(), entrypoint);
    }

    /**
     * The entrypoint run here: through the image's own dynamic loader and C library (this machine's may be older
     * than the image's Java needs), with every absolute path in it — an argument, or an option's value after
     * {@code =} — taken inside the root.
     */
    public List<String> entrypointOnThisMachine() {
        Path libraries = root.resolve(LIBRARIES);
        List<String> command = new ArrayList<>(
                List.of(libraries.resolve("ld-linux-x86-64.so.2").toString(), "--library-path", libraries.toString()));
        for (String arg : entrypoint) {
            int equals = arg.indexOf("=/");
            if (arg.startsWith("/")) {
                command.add(inside(arg));
            } else if (arg.startsWith("-") && equals > 0) {
                command.add(arg.substring(0, equals + 1) + inside(arg.substring(equals + 1)));
            } else {
                command.add(arg);
            }
        }
        return command;
    }

    /** The image's Java runtime's version, as its release file says (JAVA_VERSION). */
    public String javaVersion() throws IOException {
        return Files.readAllLines(root.resolve("opt/java/release")).stream()
                .filter(l -> l.startsWith("JAVA_VERSION="))
                .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", ""))
                .findFirst()
                .orElse("unknown");
    }

    private String inside(String absolute) {
        return root.resolve(absolute.substring(1)).toString();
    }
}
