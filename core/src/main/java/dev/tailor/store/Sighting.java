package dev.tailor.store;

import dev.tailor.observe.Keys;
import java.time.Instant;

/**
 * One event as the store keeps it: the 128-bit fingerprint of its key (what makes it the same event when it is
 * read again: {@link Keys#fingerprint}), its time, and what it aggregates into. The reader makes it, so that
 * attributing an event (which its summary needs too) and hashing its key are done on the reading threads, and a
 * batch waiting for the store holds 40 bytes an event besides its time and its aggregate (which events share).
 */
public record Sighting<K>(long fingerprintHigh, long fingerprintLow, Instant time, K aggregate) {
    /** The sighting of an event with the key {@code key}. */
    public static <K> Sighting<K> of(String key, Instant time, K aggregate) {
        long[] fingerprint = new long[2];
        Keys.fingerprint(key, fingerprint, 0);
        return new Sighting<>(fingerprint[0], fingerprint[1], time, aggregate);
    }
}
