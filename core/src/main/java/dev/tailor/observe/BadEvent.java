package dev.tailor.observe;

/**
 * Thrown by whatever an input's reader hands an event to, when that event alone cannot be kept (a value longer than
 * the store holds): the reader records it as a problem at the event's line and goes on with the next.
 */
public final class BadEvent extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;

    /** {@code kind} groups it in the counts ("too long"), {@code reason} says it in full. */
    public BadEvent(String kind, String reason) {
        super(reason, null, false, false);
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }
}
