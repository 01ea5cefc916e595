package dev.tailor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, user and system, all threads (Linux {@code /proc/PID/stat}, in clock ticks of
 * 10 ms): read before and after a run, divided by the decisions the run made, it is the server's CPU per decision.
 */
public final class ProcessCpu {

    private static final double MILLIS_PER_TICK = 10.0;

    private final Path stat;

    public ProcessCpu(long pid) {
        this.stat = Path.of("/proc", Long.toString(pid), "stat");
    }

    /** CPU milliseconds used so far; 0 when it cannot be read (not Linux, process gone). */
    public double millis() {
        try {
            String line = Files.readString(stat);
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * MILLIS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
