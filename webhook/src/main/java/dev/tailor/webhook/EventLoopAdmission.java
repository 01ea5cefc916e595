package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.admission.AdmissionHandler;
import dev.tailor.webhook.admission.AdmissionReviews;
import dev.tailor.webhook.admission.BadReviewException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Small admission reviews — nearly all of them — answered on the HTTP server's event loop, where they arrived: no
 * hand-over to a worker thread and back, which cost a decision a quarter of its CPU in context switches.
 *
 * <p>A review takes this path only when nothing about it can make the event loop wait: it announces a length of at
 * most {@link #LARGEST_BODY} bytes, is {@code application/json}, and its heap is reserved from the request memory
 * at once. Its body is then read on the event loop and evaluated there on the engine's resident instance for that
 * thread ({@code PolicyEngine.resident()}), which no other thread uses. Anything else — a larger or unannounced body,
 * another Content-Type, memory that is taken — goes on to {@link AdmissionResource} on a worker thread, which waits
 * for memory or refuses, and gives every error its answer. A Namespace's review goes to a worker too once it is read:
 * a switch to enforce lists the namespace's pods through the API.
 */
@Singleton
public class EventLoopAdmission {

    private static final Logger LOG = Logger.getLogger(EventLoopAdmission.class);

    /** The largest body answered on the event loop: an evaluation of one takes about a millisecond. */
    static final long LARGEST_BODY = 64 * 1024;

    /** The admission handler on the engine's resident instances (a type of its own, so CDI tells it apart). */
    public record Handler(AdmissionHandler handler) {}

    private final AdmissionHandler resident;
    private final AdmissionHandler pooled;
    private final AdmissionCallers callers;
    private final RequestMemory.Share memory;
    private final long largestBody;

    public EventLoopAdmission(
            Handler resident,
            AdmissionHandler pooled,
            AdmissionCallers callers,
            RequestMemory memory,
            TailorConfig config) {
        this.resident = resident.handler();
        this.pooled = pooled;
        this.callers = callers;
        this.memory = memory.reviews();
        this.largestBody = Math.min(Math.min(LARGEST_BODY, config.maxReviewBytes()), this.memory.largestBody());
    }

    void routes(@Observes Router router) {
        // After ErrorBodies' hard stop (Integer.MIN_VALUE), before the REST layer.
        router.post("/validate").order(Integer.MIN_VALUE + 1).handler(ctx -> answer(ctx, true));
        router.post("/mutate").order(Integer.MIN_VALUE + 1).handler(ctx -> answer(ctx, false));
    }

    private void answer(RoutingContext ctx, boolean validate) {
        HttpServerRequest http = ctx.request();
        String contentType = http.getHeader("Content-Type");
        long announced = RequestMemory.announced(http.getHeader("Content-Length"));
        // A client that waits for 100-continue is the REST layer's to answer, as is every other unusual request.
        if (!json(contentType) || http.getHeader("Expect") != null || announced < 0 || announced > largestBody) {
            ctx.next();
            return;
        }
        Optional<RequestMemory.Reservation> reserved;
        try {
            reserved = memory.reserve(announced, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reserved = Optional.empty();
        }
        if (reserved.isEmpty()) {
            ctx.next();
            return;
        }
        RequestMemory.Reservation reservation = reserved.get();
        boolean fromApiServer = validate && callers.fromApiServer(http);
        http.body().onComplete(read -> {
            if (read.failed()) {
                reservation.close(); // the connection went away before its body arrived: nobody to answer
                return;
            }
            try {
                decide(ctx, validate, fromApiServer, read.result(), reservation);
            } catch (RuntimeException e) {
                // Whatever failed unforeseen: the memory goes back and the caller still gets its JSON answer.
                reservation.close();
                failed(ctx, com.fasterxml.jackson.databind.node.MissingNode.getInstance(), e);
            }
        });
        http.resume(); // the server pauses a request until a handler asks for its body
    }

    /** {@code application/json}, with parameters or without; anything else is the REST layer's to refuse. */
    private static boolean json(String contentType) {
        if (contentType == null || contentType.indexOf(',') >= 0) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip();
        return type.toLowerCase(Locale.ROOT).equals(MediaType.APPLICATION_JSON);
    }

    private void decide(
            RoutingContext ctx,
            boolean validate,
            boolean fromApiServer,
            Buffer body,
            RequestMemory.Reservation reservation) {
        JsonNode request;
        try {
            request = AdmissionReviews.decodeRequest(body.getBytes());
        } catch (BadReviewException e) {
            reservation.close();
            send(
                    ctx,
                    e.status(),
                    AdmissionReviews.errored(e.uid(), e.status(), AdmissionReviews.reason(e.status()), e.getMessage()));
            return;
        }
        if (validate && request.path("kind").path("kind").asText().equals("Namespace")) {
            ctx.vertx()
                    .executeBlocking(() -> pooled.validate(request, fromApiServer), false)
                    .onComplete(decided -> {
                        reservation.close();
                        if (decided.succeeded()) {
                            send(ctx, 200, decided.result());
                        } else {
                            failed(ctx, request, decided.cause());
                        }
                    });
            return;
        }
        ObjectNode review;
        try {
            review = validate ? resident.validate(request, fromApiServer) : resident.mutate(request);
        } catch (RuntimeException e) {
            reservation.close();
            failed(ctx, request, e);
            return;
        }
        reservation.close();
        send(ctx, 200, review);
    }

    private static void failed(RoutingContext ctx, JsonNode request, Throwable e) {
        String uid = request.path("uid").asText();
        LOG.errorf(e, "answering admission request %s", uid);
        send(ctx, 500, AdmissionReviews.failedToAnswer(uid, e));
    }

    private static void send(RoutingContext ctx, int status, JsonNode review) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", MediaType.APPLICATION_JSON)
                .end(Buffer.buffer(AdmissionReviews.toBytes(review)));
    }
}
