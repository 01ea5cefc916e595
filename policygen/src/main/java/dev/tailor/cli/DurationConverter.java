package dev.tailor.cli;

import java.time.Duration;
import picocli.CommandLine;

/** A duration option ({@code 7d}, {@code 36h}, {@code 90m}, {@code 30s}): one given wrong is a usage error (exit 2). */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return dev.tailor.util.Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
