package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.admission.AdmissionHandler;
import dev.tailor.webhook.admission.AdmissionReviews;
import dev.tailor.webhook.admission.BadReviewException;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The HTTP edge of the webhook for every review {@link EventLoopAdmission} leaves to a worker thread (larger or
 * unannounced bodies, unusual requests, request memory that is taken): caps the body, checks the content type,
 * decodes the review, and hands the request to {@link AdmissionHandler}. Whatever goes wrong, the answer is JSON that
 * carries the request UID when there was one — never a stack trace.
 */
@Path("/")
public class AdmissionResource {

    private static final Logger LOG = Logger.getLogger(AdmissionResource.class);

    private final AdmissionHandler handler;
    private final TailorConfig config;
    private final AdmissionCallers callers;
    private final RequestMemory.Share memory;
    private final long capacityMiB;
    private final PrometheusAdmissionMetrics metrics;

    public AdmissionResource(
            AdmissionHandler handler,
            TailorConfig config,
            RequestMemory memory,
            PrometheusAdmissionMetrics metrics,
            AdmissionCallers callers) {
        this.handler = handler;
        this.config = config;
        this.memory = memory.reviews();
        this.capacityMiB = memory.capacityBytes() >> 20;
        this.metrics = metrics;
        this.callers = callers;
    }

    @POST
    @Path("validate")
    @Blocking
    public Response validate(
            @HeaderParam("Content-Type") String contentType, @Context HttpServerRequest http, InputStream body) {
        boolean fromApiServer = callers.fromApiServer(http);
        return answer("validate", contentType, http, body, request -> handler.validate(request, fromApiServer));
    }

    @POST
    @Path("mutate")
    @Blocking
    public Response mutate(
            @HeaderParam("Content-Type") String contentType, @Context HttpServerRequest http, InputStream body) {
        return answer("mutate", contentType, http, body, handler::mutate);
    }

    private Response answer(
            String endpoint,
            String contentType,
            HttpServerRequest http,
            InputStream body,
            Function<JsonNode, ObjectNode> decide) {
        String uid = "";
        try {
            if (contentType == null
                    || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(MediaType.APPLICATION_JSON)) {
                throw new BadReviewException(
                        415,
                        "",
                        "Content-Type must be application/json, got " + (contentType == null ? "none" : contentType));
            }
            long announced = RequestMemory.announced(http == null ? null : http.getHeader("Content-Length"));
            try (RequestMemory.Reservation reservation = reserve(endpoint, announced, body)) {
                int cap = (int) Math.min(config.maxReviewBytes(), reservation.bodyBytes());
                byte[] bytes;
                try {
                    bytes = AdmissionReviews.readCapped(body, cap, announced);
                } catch (BadReviewException tooLarge) {
                    // unannounced, and larger than the memory could ever hold: read and dropped, as announced ones
                    throw tooLarge.status() == 413 && cap < config.maxReviewBytes()
                            ? tooLargeToEvaluate(endpoint, "more than " + cap)
                            : tooLarge;
                }
                JsonNode request = AdmissionReviews.decodeRequest(bytes);
                uid = request.path("uid").asText();
                return json(200, decide.apply(request));
            }
        } catch (BadReviewException e) {
            return json(
                    e.status(),
                    AdmissionReviews.errored(e.uid(), e.status(), AdmissionReviews.reason(e.status()), e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return json(
                    503,
                    AdmissionReviews.errored(uid, 503, AdmissionReviews.reason(503), "the webhook is shutting down"));
        } catch (Exception e) {
            LOG.errorf(e, "answering admission request %s", uid);
            return json(500, AdmissionReviews.failedToAnswer(uid, e));
        }
    }

    /**
     * The heap for a review of {@code announced} bytes ({@code -1}: not announced, so the most it may be), before
     * its body is read. A review over {@code tailor.max-review-bytes} is a 413 as ever; one the webhook could never
     * evaluate within its memory is refused at once, and one that waited too long for the reviews
     * in flight is refused as busy — both unread, so that no burst of large reviews can exhaust the heap. A refused
     * review is an error to the API server, which then applies the webhook's failurePolicy: denied in an enforced
     * namespace, admitted in an audited one.
     */
    private RequestMemory.Reservation reserve(String endpoint, long announced, InputStream body)
            throws IOException, BadReviewException, InterruptedException {
        int maxBytes = config.maxReviewBytes();
        if (announced > maxBytes) {
            AdmissionReviews.discard(body);
            throw AdmissionReviews.largerThan(maxBytes);
        }
        if (announced > memory.largestBody()) {
            AdmissionReviews.discard(body);
            throw tooLargeToEvaluate(endpoint, Long.toString(announced));
        }
        long expected = announced >= 0 ? announced : maxBytes;
        var reservation = memory.reserve(
                Math.min(expected, memory.largestBody()), config.engine().borrowTimeout());
        if (reservation.isEmpty()) {
            AdmissionReviews.discard(body);
            metrics.refused(endpoint, "busy");
            LOG.warnf(
                    "refused an AdmissionReview of %s bytes: larger requests in flight held the webhook's request memory "
                            + "for %d ms",
                    announced >= 0 ? Long.toString(announced) : "unannounced",
                    config.engine().borrowTimeout().toMillis());
            throw new BadReviewException(
                    503, "", "too many large AdmissionReviews in flight; the webhook's failurePolicy applies");
        }
        return reservation.get();
    }

    private BadReviewException tooLargeToEvaluate(String endpoint, String size) {
        metrics.refused(endpoint, "too-large");
        LOG.warnf(
                "refused an AdmissionReview of %s bytes: the webhook evaluates at most %d bytes within its memory "
                        + "(%d MiB for requests in flight)",
                size, memory.largestBody(), capacityMiB);
        return new BadReviewException(
                413,
                "",
                "AdmissionReview of " + size + " bytes is larger than this webhook evaluates within its memory ("
                        + memory.largestBody() + " bytes); give it a larger memory limit to admit such objects");
    }

    private static Response json(int status, JsonNode body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(AdmissionReviews.toBytes(body))
                .build();
    }
}
