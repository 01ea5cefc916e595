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

/**
 * The HTTP edge of the webhook for every review {@link EventLoopAdmission} leaves to a worker thread (unannounced
 * bodies, unusual requests, bodies arriving while others hold their share of the memory): checks the content type,
 * reads the body within its cap and {@link ReviewMemory}, and hands the request to {@link AdmissionHandler}. Whatever
 * goes wrong, the answer is JSON that carries the request UID when there was one — never a stack trace.
 */
@Path("/")
public class AdmissionResource {

    private final AdmissionHandler handler;
    private final AdmissionCallers callers;
    private final ReviewMemory memory;

    public AdmissionResource(AdmissionHandler handler, ReviewMemory memory, AdmissionCallers callers) {
        this.handler = handler;
        this.memory = memory;
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
        boolean fromApiServer = callers.fromApiServer(http);
        return answer("mutate", contentType, http, body, request -> handler.mutate(request, fromApiServer));
    }

    private Response answer(
            String endpoint,
            String contentType,
            HttpServerRequest http,
            InputStream body,
            Function<JsonNode, ObjectNode> decide) {
        long since = System.nanoTime();
        try {
            if (contentType == null
                    || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(MediaType.APPLICATION_JSON)) {
                throw new BadReviewException(
                        415,
                        "",
                        "Content-Type must be application/json, got " + (contentType == null ? "none" : contentType));
            }
            long announced = RequestMemory.announced(http == null ? null : http.getHeader("Content-Length"));
            try (RequestMemory.Reservation arrival = arrival(endpoint, announced, body, since)) {
                byte[] bytes;
                try {
                    bytes = AdmissionReviews.readCapped(body, (int) memory.largestBody(), announced);
                } catch (BadReviewException tooLarge) {
                    // unannounced, and larger than the webhook reads: read and dropped, as announced ones
                    throw tooLarge.status() == 413 ? memory.tooLarge(endpoint, announced, false) : tooLarge;
                }
                return json(memory.answer(endpoint, bytes, arrival, since, decide));
            }
        } catch (BadReviewException e) {
            return json(ReviewAnswer.refused(e));
        } catch (IOException e) {
            // the client went away, or was cut off at tailor.review-deadline: nobody waits for this answer
            return json(
                    ReviewAnswer.refused(new BadReviewException(400, "", "body could not be read: " + e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return json(ReviewAnswer.shuttingDown());
        } catch (RuntimeException e) {
            return json(ReviewAnswer.failed(null, e));
        }
    }

    /**
     * The bytes of a body of {@code announced} bytes ({@code -1}: not announced, so the most a review may be), before
     * it is read. A review larger than the webhook reads is refused at once, one that waited too long for the bodies
     * arriving is refused as busy — both unread (read and dropped), so that no burst of large reviews can exhaust the
     * heap.
     */
    private RequestMemory.Reservation arrival(String endpoint, long announced, InputStream body, long since)
            throws IOException, BadReviewException, InterruptedException {
        try {
            if (announced > memory.largestBody()) {
                throw memory.tooLarge(endpoint, announced, true);
            }
            return memory.arrival(endpoint, announced >= 0 ? announced : memory.largestBody(), since);
        } catch (BadReviewException refused) {
            AdmissionReviews.discard(body);
            throw refused;
        }
    }

    private static Response json(ReviewAnswer answer) {
        return Response.status(answer.status())
                .type(MediaType.APPLICATION_JSON)
                .entity(AdmissionReviews.toBytes(answer.review()))
                .build();
    }
}
