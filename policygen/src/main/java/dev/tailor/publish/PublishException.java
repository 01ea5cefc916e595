package dev.tailor.publish;

/** Publishing failed; the message is one line a person can act on. */
public final class PublishException extends Exception {
    private static final long serialVersionUID = 1L;

    public PublishException(String message) {
        super(message);
    }
}
