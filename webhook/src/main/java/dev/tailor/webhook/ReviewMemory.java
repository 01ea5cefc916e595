package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.admission.AdmissionReviews;
import dev.tailor.webhook.admission.BadReviewException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Admission reviews' use of the request memory ({@link RequestMemory}), the same on both paths a review takes: its
 * body holds an arrival — the buffer of its bytes — while it is read, and the review's heap once it is whole. A
 * review refused for memory is counted and logged here: a 413 when it is larger than the webhook reads, a 503 when
 * the requests in flight held the memory for longer than a review may wait. The API server then applies the
 * webhook's failurePolicy: denied in an enforced namespace, admitted in an audited one.
 */
@Singleton
public class ReviewMemory {

    private static final Logger LOG = Logger.getLogger(ReviewMemory.class);

    private final RequestMemory.Share arrivals;
    private final RequestMemory.Share apiServerArrivals;
    private final RequestMemory.Share reviews;
    private final int maxReviewBytes;
    private final Duration wait;
    private final long capacityMiB;
    private final PrometheusAdmissionMetrics metrics;

    public ReviewMemory(RequestMemory memory, TailorConfig config, PrometheusAdmissionMetrics metrics) {
        this.arrivals = memory.arrivals();
        this.apiServerArrivals = memory.apiServerArrivals();
        this.reviews = memory.reviews();
        this.maxReviewBytes = config.maxReviewBytes();
        this.wait = config.engine().borrowTimeout();
        this.capacityMiB = memory.capacityBytes() >> 20;
        this.metrics = metrics;
    }

    /** The largest review read: {@code tailor.max-review-bytes}, or less where the memory evaluates less. */
    long largestBody() {
        return Math.min(maxReviewBytes, reviews.largestBody());
    }

    /**
     * The 413 for a review larger than {@link #largestBody()}: of {@code size} bytes when it announced them, else of
     * more than was read. Over {@code tailor.max-review-bytes} it says so, as ever; within it, that the memory is the
     * limit, and how to raise it.
     */
    BadReviewException tooLarge(String endpoint, long size, boolean announced) {
        if (size > maxReviewBytes || largestBody() == maxReviewBytes) {
            return AdmissionReviews.largerThan(maxReviewBytes);
        }
        String bytes = announced ? Long.toString(size) : "more than " + largestBody();
        metrics.refused(endpoint, "too-large");
        LOG.warnf(
                "refused an AdmissionReview of %s bytes: the webhook evaluates at most %d bytes within its memory "
                        + "(%d MiB for requests in flight)",
                bytes, reviews.largestBody(), capacityMiB);
        return new BadReviewException(
                413,
                "",
                "AdmissionReview of " + bytes + " bytes is larger than this webhook evaluates within its memory ("
                        + reviews.largestBody() + " bytes); give it a larger memory limit to admit such objects");
    }

    /**
     * The buffer of a body about to arrive, if the bodies arriving now leave it; never waits, and goes ahead of
     * reviews waiting for their heap (arrivals are bounded by their own ceiling, and held only while bytes arrive).
     * The API server's, when it proved who it is ({@code vouched}), are not bounded by what others' bodies hold.
     */
    Optional<RequestMemory.Reservation> arrivalNow(long bodyBytes, boolean vouched) {
        return (vouched ? apiServerArrivals : arrivals).reserveNow(bodyBytes);
    }

    /**
     * The bytes of a body about to arrive, waiting for the requests in flight while the review may: from {@code
     * sinceNanos}, when its request began, for the engine's borrow timeout.
     */
    RequestMemory.Reservation arrival(String endpoint, long bodyBytes, long sinceNanos)
            throws BadReviewException, InterruptedException {
        return arrivals.reserve(bodyBytes, remaining(sinceNanos))
                .orElseThrow(() -> busy(endpoint, bodyBytes, "for " + wait.toMillis() + " ms"));
    }

    /** The heap of a review read whole, if the reviews in flight leave it; never waits. */
    Optional<RequestMemory.Reservation> reviewNow(long bodyBytes) {
        try {
            return reviews.reserve(bodyBytes, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Answers a review read whole, on a thread that may wait: waits for its heap while the review may (what is left
     * of the borrow timeout since {@code sinceNanos}, else a 503), gives back its {@code arrival}, decodes and decides
     * it.
     */
    ReviewAnswer answer(
            String endpoint,
            byte[] body,
            RequestMemory.Reservation arrival,
            long sinceNanos,
            Function<JsonNode, ObjectNode> decide) {
        try (arrival) {
            RequestMemory.Reservation review = reviews.reserve(body.length, remaining(sinceNanos))
                    .orElseThrow(() -> busy(endpoint, body.length, "for " + wait.toMillis() + " ms"));
            try {
                arrival.close();
                return ReviewAnswer.decide(body, decide);
            } finally {
                review.close();
            }
        } catch (BadReviewException e) {
            return ReviewAnswer.refused(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ReviewAnswer.shuttingDown();
        }
    }

    private Duration remaining(long sinceNanos) {
        Duration left = wait.minusNanos(System.nanoTime() - sinceNanos);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * The 503 for a review whose body could not be held as it arrived: the bodies arriving, or the reviews in flight,
     * held the memory its next bytes needed.
     */
    BadReviewException busyArriving(String endpoint, long bodyBytes) {
        return busy(endpoint, bodyBytes, "as its body arrived");
    }

    private BadReviewException busy(String endpoint, long bodyBytes, String when) {
        metrics.refused(endpoint, "busy");
        LOG.warnf(
                "refused an AdmissionReview of %d bytes: larger requests in flight (bodies arriving, or reviews read "
                        + "whole) held the webhook's request memory %s",
                bodyBytes, when);
        return new BadReviewException(
                503, "", "too many large AdmissionReviews in flight; the webhook's failurePolicy applies");
    }
}
