package dev.tailor.observe;

/** An input is not in the format it was given as; said before anything of it is read. */
public final class UnknownFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnknownFormatException(String message) {
        super(message);
    }
}
