package dev.tailor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a process's resident set size (Linux {@code /proc/PID/status} VmRSS) and keeps the peak; reads its thread
 * count from the same file.
 */
public final class ResidentMemory implements AutoCloseable {

    private final Path status;
    private final AtomicLong peakKib = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    public ResidentMemory(long pid) {
        this.status = Path.of("/proc", Long.toString(pid), "status");
        this.sampler = new Thread(
                () -> {
                    while (running) {
                        long kib = currentKib();
                        peakKib.accumulateAndGet(kib, Math::max);
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Current RSS in KiB; 0 when it cannot be read (not Linux, process gone). */
    public long currentKib() {
        return field("VmRSS:");
    }

    /** The process's threads now; 0 when they cannot be read. */
    public long threads() {
        return field("Threads:");
    }

    private long field(String name) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** Peak RSS since the last reset, in MiB. */
    public double peakMib() {
        return peakKib.get() / 1024.0;
    }

    public void reset() {
        peakKib.set(currentKib());
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
