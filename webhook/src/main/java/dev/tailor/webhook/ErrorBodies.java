package dev.tailor.webhook;

import dev.tailor.webhook.admission.AdmissionReviews;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The answers the REST layer gives before an endpoint runs (a Content-Type it cannot parse, a method or path that
 * does not exist) get a JSON body saying what was wrong, like every other answer: an AdmissionReview for the
 * admission endpoints (the API server reads its status message), {@code {"error": …}} elsewhere. A Content-Type that
 * is not one media type ({@code application/json, text/plain}) is a 415, as a wrong one is.
 */
@jakarta.inject.Singleton
public class ErrorBodies {

    private static final Logger LOG = Logger.getLogger(ErrorBodies.class);

    /** What becomes of bodies answered before they are read (set when the routes are). */
    private volatile UnreadBodies unread;

    /** Requests whose rest is being read and dropped now (for tests). */
    int lingering() {
        return unread.lingering();
    }

    /**
     * A body announced as larger than the server's hard stop ({@code quarkus.http.limits.max-body-size}, beyond every
     * endpoint's own limit) is answered here, first of all routes, with a JSON 413 — the server's own answer has no
     * body. A body that does not announce its length is stopped by the endpoints' limits long before.
     */
    void hardStop(
            @jakarta.enterprise.event.Observes io.vertx.ext.web.Router router,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.limits.max-body-size")
                    io.quarkus.runtime.configuration.MemorySize limit,
            TailorConfig config) {
        long max = limit.asLongValue();
        unread = new UnreadBodies(
                EventLoopAdmission.DRAINING_PER_COUNTED * config.reviewsInFlight(),
                config.reviewDeadline().toMillis());
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            unread.stopWhenAnswered(ctx);
            String announced = ctx.request().getHeader("Content-Length");
            long length;
            try {
                length = announced == null ? -1 : Long.parseLong(announced.strip());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length <= max) {
                ctx.next();
                return;
            }
            byte[] body = body(ctx.request().path(), 413, "request body larger than " + max + " bytes");
            ctx.response()
                    .setStatusCode(413)
                    .putHeader("Content-Type", MediaType.APPLICATION_JSON)
                    .putHeader("Connection", "close")
                    .end(io.vertx.core.buffer.Buffer.buffer(body));
        });
    }

    @ServerExceptionMapper
    public Response refused(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse() == null ? 400 : e.getResponse().getStatus();
        String contentType = request == null ? null : request.getHeader("Content-Type");
        String message;
        if (status == 400 && contentType != null && !oneMediaType(contentType)) {
            status = 415;
            message = "Content-Type must be application/json, got " + contentType;
        } else {
            message = e.getMessage() == null ? Response.Status.fromStatusCode(status) + "" : e.getMessage();
        }
        LOG.debugf(
                "%s %s: %d %s",
                request == null ? "" : request.method(), request == null ? "" : request.path(), status, message);
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(body(request == null ? "" : request.path(), status, message))
                .build();
    }

    /** An AdmissionReview for the admission endpoints (the API server reads its status message), else {@code {"error"}}. */
    private static byte[] body(String path, int status, String message) {
        return path.equals("/validate") || path.equals("/mutate")
                ? AdmissionReviews.toBytes(
                        AdmissionReviews.errored("", status, AdmissionReviews.reason(status), message))
                : AdmissionReviews.toBytes(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                        .objectNode()
                        .put("error", message));
    }

    private static boolean oneMediaType(String value) {
        try {
            MediaType.valueOf(value);
            return !value.contains(",");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
