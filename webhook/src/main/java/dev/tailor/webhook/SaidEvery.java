package dev.tailor.webhook;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what happened and says it at most once a period: a log line for each refusal would let anyone who reaches
 * the port fill the log.
 */
final class SaidEvery {

    private final long periodNanos;
    private final AtomicLong unsaid = new AtomicLong();
    private final AtomicLong lastSaid;

    SaidEvery(Duration period) {
        this.periodNanos = period.toNanos();
        this.lastSaid = new AtomicLong(System.nanoTime() - periodNanos);
    }

    /** Counts one more; returns how many to say now (this one among them), or 0 when it is not yet time. */
    long count() {
        unsaid.incrementAndGet();
        long now = System.nanoTime();
        long said = lastSaid.get();
        if (now - said >= periodNanos && lastSaid.compareAndSet(said, now)) {
            return unsaid.getAndSet(0);
        }
        return 0;
    }
}
