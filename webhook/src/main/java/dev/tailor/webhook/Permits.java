package dev.tailor.webhook;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/** A request's permit, given back once however many of its ends (answered, read, gone, cut off) come. */
final class Permits {

    private Permits() {}

    /** Gives one permit of {@code permits} back on its first run, and does nothing on later ones. */
    static Runnable releaseOnce(Semaphore permits) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                permits.release();
            }
        };
    }
}
