package dev.tailor.webhook.api;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A response body written by a thread that yields to admission: after each {@value #CHUNK} bytes it sleeps as long as
 * it spent on the CPU making them, so that it takes at most half a core however fast its client reads. For the
 * observation snapshot, a weekly job's seconds: written at full speed on two cores, the month of 1,002 workloads' took
 * a core for 1–3 s (interpreted the first time, where the image's JIT has no first tier), and the reviews answered
 * beside it queued.
 *
 * <p>Used by one thread, the one that writes the body.
 */
final class YieldingOutput extends FilterOutputStream {

    /** Bytes between two pauses: a JSON generator's buffer is 8 KiB; a month's snapshot (15 MB) pauses 60 times. */
    static final int CHUNK = 256 * 1024;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Sleeper sleeper;
    private long written;
    private long cpuAtPause;

    /** How a pause is taken: {@link Thread#sleep} but in tests. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    YieldingOutput(OutputStream out) {
        this(out, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    YieldingOutput(OutputStream out, Sleeper sleeper) {
        super(out);
        this.sleeper = sleeper;
        this.cpuAtPause = cpuNow();
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        wrote(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len); // whole: FilterOutputStream's own would write byte by byte
        wrote(len);
    }

    private void wrote(int n) throws IOException {
        written += n;
        if (written < CHUNK) {
            return;
        }
        written = 0;
        long cpu = cpuNow();
        long spent = cpu - cpuAtPause;
        try {
            if (spent > 0) {
                sleeper.sleep(spent);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while yielding to admission");
        }
        cpuAtPause = cpu; // a sleep takes no CPU
    }

    /** This thread's CPU time, in nanoseconds (0 where the JVM does not measure it: then it never pauses). */
    private static long cpuNow() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }
}
