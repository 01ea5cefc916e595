package dev.tailor.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stops of a JVM under test — its safepoints: collections, deoptimizations, whatever halts every thread — read from
 * the log {@link #option} has it write, between two instants: what a latency tail of the same run may be owed to.
 */
public final class SafepointLog {

    /**
     * {@code [1733456529123ms] Safepoint "GenCollectForAllocation", …, Total: 10259446 ns} (Java 17), then {@code ,
     * Threads: 0 runnable, 11 total} (Java 25, the image's).
     */
    private static final Pattern LINE =
            Pattern.compile("^\\[(\\d+)ms\\] Safepoint \"([^\"]+)\",.* Total: (\\d+) ns(, Threads: .*)?$");

    private SafepointLog() {}

    /** The JVM option that logs each safepoint to {@code file}, with the wall clock in milliseconds. */
    public static String option(Path file) {
        return "-Xlog:safepoint:file=" + file.toAbsolutePath() + ":timemillis";
    }

    /** The stops of one run: how many, their time in all and the longest (with what stopped the JVM for it). */
    public record Stops(long count, double totalMillis, double longestMillis, String longest) {
        public String describe() {
            return count == 0
                    ? "no safepoint"
                    : String.format(
                            "%d safepoints, %.1f ms in all, the longest %.1f ms (%s)",
                            count, totalMillis, longestMillis, longest);
        }
    }

    /**
     * The stops logged in {@code file} from {@code fromMillis} to {@code untilMillis} (wall clock, both inclusive; the
     * JVM logs each as it ends); none when there is no log.
     */
    public static Stops between(Path file, long fromMillis, long untilMillis) throws IOException {
        long count = 0;
        long total = 0;
        long longest = 0;
        String longestName = "";
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                long at = Long.parseLong(m.group(1));
                if (at < fromMillis || at > untilMillis) {
                    continue;
                }
                long nanos = Long.parseLong(m.group(3));
                count++;
                total += nanos;
                if (nanos > longest) {
                    longest = nanos;
                    longestName = m.group(2);
                }
            }
        } catch (NoSuchFileException none) {
            return new Stops(0, 0, 0, "");
        }
        return new Stops(count, total / 1e6, longest / 1e6, longestName);
    }
}
