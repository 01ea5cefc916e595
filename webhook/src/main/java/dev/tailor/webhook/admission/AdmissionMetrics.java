package dev.tailor.webhook.admission;

/** What the handler reports about each review; the webhook sends it to Prometheus. */
public interface AdmissionMetrics {

    /** One answered review. {@code result}: allowed, warned, denied or error. */
    void reviewed(String endpoint, String operation, String kind, String mode, String result, long nanos);

    /** One check's verdict (warned or denied). */
    void decision(String check, String verdict);

    /** The policy could not be evaluated. */
    void evaluationError(String endpoint);

    /**
     * A review refused before it was evaluated: {@code reason} "too-large" (more than the webhook can evaluate within
     * its memory), "busy" (the requests in flight held that memory for longer than a review may wait) or "deadline"
     * (still unanswered at {@code tailor.review-deadline}, its body not arrived: cut off).
     */
    void refused(String endpoint, String reason);

    AdmissionMetrics NONE = new AdmissionMetrics() {
        @Override
        public void reviewed(String endpoint, String operation, String kind, String mode, String result, long nanos) {}

        @Override
        public void decision(String check, String verdict) {}

        @Override
        public void evaluationError(String endpoint) {}

        @Override
        public void refused(String endpoint, String reason) {}
    };
}
