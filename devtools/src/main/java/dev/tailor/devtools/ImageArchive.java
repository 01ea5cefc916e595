package dev.tailor.devtools;

import dev.tailor.harness.LocalImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Tailor's image as tools/image builds it from this build, unpacked for a developer's command to run. */
final class ImageArchive {
    private ImageArchive() {}

    /**
     * Builds the image archive (tools/image: about a minute, the first time with Debian's packages to download) and
     * unpacks it into {@code dir}; what tools/image says goes to {@code dir}'s sibling {@code image-build.log}.
     */
    static LocalImage buildAndUnpack(Path root, Path dir) throws IOException, InterruptedException {
        Path log = dir.resolveSibling("image-build.log");
        Process build = new ProcessBuilder(root.resolve("tools/image").toString())
                .redirectError(log.toFile())
                .start();
        String printed = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (build.waitFor() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IllegalStateException("tools/image failed with " + build.exitValue() + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
        }
        Path archive = printed.lines()
                .filter(l -> l.startsWith("IMAGE="))
                .map(l -> Path.of(l.substring("IMAGE=".length())))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("tools/image named no archive: " + printed));
        return LocalImage.unpack(root, archive, dir);
    }
}
