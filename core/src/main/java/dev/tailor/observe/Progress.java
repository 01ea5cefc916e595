package dev.tailor.observe;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of a long ingest. On a terminal: one line redrawn in place —
 * {@code [########............]  41%  212 MB of 512 MB  88.3 MB/s  161,204 events/s  ETA 0:03}. Otherwise (CI, a
 * pipe) nothing here: the caller prints a plain line per stored batch.
 */
public final class Progress {

    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final AtomicLong bytesRead;
    private final long totalBytes;
    private final long started = System.nanoTime();
    // Striped: the reading threads of a big file count at once without fighting over one cache line.
    private final java.util.concurrent.atomic.LongAdder events = new java.util.concurrent.atomic.LongAdder();
    private long lastDrawn;

    /**
     * @param totalBytes the size of all inputs, or 0 when unknown (standard input): then no percentage and no ETA
     */
    public Progress(PrintStream out, boolean terminal, AtomicLong bytesRead, long totalBytes) {
        this.out = out;
        this.terminal = terminal;
        this.bytesRead = bytesRead;
        this.totalBytes = totalBytes;
    }

    /** Events read so far. */
    public long events() {
        return events.sum();
    }

    public boolean terminal() {
        return terminal;
    }

    /** One more event read (from any of the reading threads); redraws at most five times a second. */
    public void event() {
        events.increment();
        if (terminal && (java.util.concurrent.ThreadLocalRandom.current().nextInt() & 1023) == 0) {
            synchronized (this) {
                long now = System.nanoTime();
                if (now - lastDrawn >= REDRAW_NANOS) {
                    lastDrawn = now;
                    draw(now);
                }
            }
        }
    }

    /** Clears the progress line so that a line of output can take its place; the next redraw brings it back. */
    public synchronized void clear() {
        if (terminal) {
            out.print("\r\033[K");
        }
    }

    /** Ends the progress line, so what follows starts on a line of its own. */
    public synchronized void finish() {
        if (terminal) {
            draw(System.nanoTime());
            out.println();
        }
    }

    private void draw(long now) {
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        long bytes = bytesRead.get();
        StringBuilder line = new StringBuilder("\r");
        if (totalBytes > 0) {
            double done = Math.min(1.0, (double) bytes / totalBytes);
            int filled = (int) Math.round(done * 20);
            line.append('[')
                    .append("#".repeat(filled))
                    .append(".".repeat(20 - filled))
                    .append(']');
            line.append(String.format(" %3.0f%%  %s of %s", done * 100, mb(bytes), mb(totalBytes)));
        } else {
            line.append(mb(bytes)).append(" read");
        }
        double rate = bytes / seconds;
        line.append(String.format("  %.1f MB/s  %,d events/s", rate / 1e6, (long) (events.sum() / seconds)));
        if (totalBytes > 0 && rate > 0 && bytes < totalBytes) {
            long eta = (long) ((totalBytes - bytes) / rate);
            line.append(String.format("  ETA %d:%02d", eta / 60, eta % 60));
        }
        line.append("   ");
        out.print(line);
        out.flush();
    }

    private static String mb(long bytes) {
        return bytes < 10_000_000 ? String.format("%.1f MB", bytes / 1e6) : String.format("%.0f MB", bytes / 1e6);
    }
}
