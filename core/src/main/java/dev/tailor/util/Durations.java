package dev.tailor.util;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them to Tailor's CLI and API: {@code 7d}, {@code 36h}, {@code 90m}, {@code 30s}. */
public final class Durations {
    private Durations() {}

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([dhms])");

    /** @throws IllegalArgumentException when the text is no such duration */
    public static Duration parse(String text) {
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

    /**
     * The end of a window ({@code --until}, Tailor's API's {@code until}): an RFC 3339 time from 1970 to the year 9999,
     * so that the window's start is still a time.
     *
     * @throws java.time.format.DateTimeParseException when it is no RFC 3339 time
     * @throws IllegalArgumentException when it is out of that range
     */
    public static java.time.Instant windowEnd(String text) {
        java.time.Instant end = java.time.Instant.parse(text);
        if (end.isBefore(java.time.Instant.EPOCH) || !end.isBefore(java.time.Instant.parse("9999-12-31T00:00:00Z"))) {
            throw new IllegalArgumentException("until is out of range (1970 to 9999): " + text);
        }
        return end;
    }
}
