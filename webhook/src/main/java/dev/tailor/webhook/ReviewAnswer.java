package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.admission.AdmissionReviews;
import dev.tailor.webhook.admission.BadReviewException;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * An admission request's answer, whichever path it took: the HTTP status and the AdmissionReview sent with it, which
 * carries the request's UID when there was one — never a stack trace.
 */
record ReviewAnswer(int status, JsonNode review) {

    private static final Logger LOG = Logger.getLogger(ReviewAnswer.class);

    /** Decodes a body read whole and decides it: a malformed review gets its 4xx. */
    static ReviewAnswer decide(byte[] body, Function<JsonNode, ObjectNode> decide) {
        JsonNode request;
        try {
            request = AdmissionReviews.decodeRequest(body);
        } catch (BadReviewException e) {
            return refused(e);
        }
        return decided(request, decide);
    }

    /** The decision on a decoded request; whatever fails unforeseen is a 500 that says so, and is logged. */
    static ReviewAnswer decided(JsonNode request, Function<JsonNode, ObjectNode> decide) {
        try {
            return new ReviewAnswer(200, decide.apply(request));
        } catch (RuntimeException e) {
            return failed(request, e);
        }
    }

    static ReviewAnswer failed(JsonNode request, Throwable e) {
        String uid = (request == null ? MissingNode.getInstance() : request)
                .path("uid")
                .asText();
        LOG.errorf(e, "answering admission request %s", uid);
        return new ReviewAnswer(500, AdmissionReviews.failedToAnswer(uid, e));
    }

    static ReviewAnswer refused(BadReviewException e) {
        return new ReviewAnswer(
                e.status(),
                AdmissionReviews.errored(e.uid(), e.status(), AdmissionReviews.reason(e.status()), e.getMessage()));
    }

    static ReviewAnswer shuttingDown() {
        return new ReviewAnswer(
                503, AdmissionReviews.errored("", 503, AdmissionReviews.reason(503), "the webhook is shutting down"));
    }
}
