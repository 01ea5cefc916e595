package dev.tailor.cli;

import dev.tailor.store.ObservationStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** The store and the observation window, as the commands that read observations take them. */
final class WindowOptions {

    @Option(names = "--store", paramLabel = "URL", description = "the store (default: the H2 file in ./.tailor/)")
    String store;

    @Option(names = "--since", paramLabel = "DURATION", description = "the observation window, e.g. 7d, 36h (default: ${DEFAULT-VALUE})")
    String since = "7d";

    @Option(names = "--until", paramLabel = "TIME", description = "end of the window, RFC 3339 (default: the last observation)")
    String until;

    private static final Pattern DURATION = Pattern.compile("(\\d+)([dhms])");

    String url() {
        return store != null ? store : ObservationStore.embeddedUrl(Path.of(".tailor").toAbsolutePath());
    }

    /** @throws IllegalArgumentException when --since is no duration */
    Duration window() {
        return duration(since);
    }

    /** The window's end, or null for the last observation; @throws java.time.format.DateTimeParseException */
    Instant end() {
        return until == null ? null : Instant.parse(until);
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (like 7d, 36h, 90m or 30s): " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
