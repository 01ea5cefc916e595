package dev.tailor.webhook.admission;

/** The body is not an AdmissionReview the webhook can answer; the message names what is wrong. */
public final class BadReviewException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String uid;

    public BadReviewException(int status, String uid, String message) {
        super(message);
        this.status = status;
        this.uid = uid;
    }

    /** HTTP status: 400 for a malformed review, 413 for an oversize one, 415 for a wrong content type. */
    public int status() {
        return status;
    }

    /** The request UID, when the review got far enough to carry one; "" otherwise. */
    public String uid() {
        return uid;
    }
}
