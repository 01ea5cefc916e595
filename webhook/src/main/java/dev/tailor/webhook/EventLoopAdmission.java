package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.admission.AdmissionHandler;
import dev.tailor.webhook.admission.AdmissionReviews;
import dev.tailor.webhook.admission.BadReviewException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Admission reviews read where they arrived, on the HTTP server's event loop, and the small ones — nearly all of them
 * — answered there too: no hand-over to a worker thread and back, which cost a decision a quarter of its CPU in
 * context switches.
 *
 * <p>A review's body is read here when it is {@code application/json}, announced no larger than the webhook reads or
 * not announced (chunked), and the bodies arriving now leave room for its first bytes ({@link ReviewMemory}): no
 * thread waits while it arrives, however slowly it is sent, and it holds only the bytes it sent until it is whole. A
 * body of at most {@link #LARGEST_ON_LOOP} bytes whose review heap is free at once is then evaluated on the engine's
 * resident instance for this thread ({@code PolicyEngine.resident()}), which no other thread uses; a larger one, or
 * one whose heap is taken, goes to a worker thread, which waits for the heap or refuses. So does a Namespace's review
 * once it is read (a switch to enforce lists the namespace's pods through the API), and one in a namespace not in the
 * cache yet that may be asked of the API server ({@link NamespaceCache#namespaceAsking}). Anything else — a body announced
 * larger than the webhook reads, another Content-Type, a client waiting for 100-continue, arrivals that are taken —
 * goes on to {@link AdmissionResource}.
 *
 * <p>Every admission request, on either path, is cut off at {@code tailor.review-deadline}: a client that never
 * finishes its body holds its bytes until then, not until the connection's idle timeout. Those of callers the API
 * server does not vouch for are counted from their headers until they are answered and their body is read (or they
 * are cut off), and one beyond {@code tailor.reviews-in-flight} is refused before its body is evaluated: the
 * connections (512) times the streams each may carry would otherwise let anyone who reaches the port hold thousands of
 * requests of about 4 KB of heap each.
 *
 * <p>Over HTTP/2 a refused request's body is read and dropped, then it is answered 503; its stream is not reset:
 * Netty counts the resets on a connection, sent and received, and past {@code
 * quarkus.http.limits.rst-flood-max-rst-frame-per-window} (200 in 30 s) closes the connection with a GOAWAY — and
 * with it every request the connection carried. The API server carries all its reviews on one or a few connections, so
 * a burst of refusals cost it every review in flight. Refused requests whose body is still arriving are counted too, up
 * to four times {@code tailor.reviews-in-flight}; one beyond both counts — a caller that stalls its refused bodies as
 * well — has its stream reset as refused.
 */
@Singleton
public class EventLoopAdmission {

    private static final Logger LOG = Logger.getLogger(EventLoopAdmission.class);

    /** The largest body evaluated on the event loop: an evaluation of one takes about a millisecond. */
    static final long LARGEST_ON_LOOP = 64 * 1024;

    /** HTTP/2's REFUSED_STREAM: the request was not processed, and a client may send it again. */
    private static final long REFUSED_STREAM = 0x7;

    /**
     * Refused HTTP/2 requests whose body may still be arriving, per request counted in {@code tailor.reviews-in-flight}:
     * under a burst many are refused before their body has come. {@link UnreadBodies} lets as many linger.
     */
    static final int DRAINING_PER_COUNTED = 4;

    /** The admission handler on the engine's resident instances (a type of its own, so CDI tells it apart). */
    public record Handler(AdmissionHandler handler) {}

    private final AdmissionHandler resident;
    private final AdmissionHandler pooled;
    private final AdmissionCallers callers;
    private final ReviewMemory memory;
    private final PrometheusAdmissionMetrics metrics;
    private final long deadlineMillis;
    private final int othersAllowed;
    private final Semaphore othersInFlight;
    /** Refused requests of such callers whose answer is sent and whose body is still being read and dropped. */
    private final Semaphore othersDraining;
    /** Refusals beyond the count, said in the log at most every 10 s. */
    private final SaidEvery refusals = new SaidEvery(java.time.Duration.ofSeconds(10));

    public EventLoopAdmission(
            Handler resident,
            AdmissionHandler pooled,
            AdmissionCallers callers,
            ReviewMemory memory,
            PrometheusAdmissionMetrics metrics,
            TailorConfig config) {
        this.resident = resident.handler();
        this.pooled = pooled;
        this.callers = callers;
        this.memory = memory;
        this.metrics = metrics;
        this.deadlineMillis = Math.max(1, config.reviewDeadline().toMillis());
        this.othersAllowed = config.reviewsInFlight();
        if (othersAllowed < 1) {
            throw new IllegalArgumentException("tailor.reviews-in-flight must be at least 1, was " + othersAllowed);
        }
        this.othersInFlight = new Semaphore(othersAllowed);
        this.othersDraining = new Semaphore(DRAINING_PER_COUNTED * othersAllowed);
    }

    /** Requests of callers the API server does not vouch for that are open now (for tests). */
    int othersOpen() {
        return othersAllowed - othersInFlight.availablePermits();
    }

    /** Refused requests of such callers whose body is still being read and dropped (for tests). */
    int othersDraining() {
        return DRAINING_PER_COUNTED * othersAllowed - othersDraining.availablePermits();
    }

    void routes(@Observes Router router) {
        // After ErrorBodies' hard stop (Integer.MIN_VALUE), before the REST layer.
        router.post("/validate").order(Integer.MIN_VALUE + 1).handler(ctx -> answer(ctx, true));
        router.post("/mutate").order(Integer.MIN_VALUE + 1).handler(ctx -> answer(ctx, false));
    }

    private void answer(RoutingContext ctx, boolean validate) {
        String endpoint = validate ? "validate" : "mutate";
        HttpServerRequest http = ctx.request();
        boolean vouched = callers.vouchedFor(http);
        Runnable leave;
        if (vouched) {
            leave = () -> {};
        } else if (othersInFlight.tryAcquire()) {
            leave = Permits.releaseOnce(othersInFlight);
        } else {
            refuseBeyondCount(ctx, endpoint);
            return;
        }
        cutOffAtDeadline(ctx, endpoint, leave);
        long announced = RequestMemory.announced(http.getHeader("Content-Length"));
        if (!json(http.getHeader("Content-Type"))
                || http.getHeader("Expect") != null
                || announced > memory.largestBody()) {
            ctx.next();
            return;
        }
        // Nothing is allocated for the body until its bytes come, whatever length it announced: a request that sends
        // its headers and stalls holds the memory's least unit.
        Optional<RequestMemory.Reservation> reserved = memory.arrivalNow(0, vouched);
        if (reserved.isEmpty()) {
            ctx.next();
            return;
        }
        RequestMemory.Reservation arrival = reserved.get();
        UnreadBodies.readHere(ctx); // answered at once if refused as it arrives, the rest read and dropped
        ctx.addEndHandler(ended -> arrival.close()); // however the request ends, its buffer is given back
        boolean fromApiServer = callers.fromApiServer(http); // the verdict kept with the session
        // The protocol holds an announced body to its Content-Length (HTTP/1.1 frames by it, Netty's HTTP/2 decoder
        // resets a stream whose data exceeds it); an unannounced one is held to the largest the webhook reads.
        long cap = announced >= 0 ? announced : memory.largestBody();
        AtomicReference<Buffer> received = new AtomicReference<>(Buffer.buffer());
        // A body refused as it arrives is answered at once, what it sent dropped with its arrival, and the rest of it
        // read and dropped: a client still sending gets the answer (an HTTP/1.1 connection closed mid-body, or an
        // HTTP/2 stream reset, may lose it — Java's HTTP/2 client then waits for ever), until the deadline cuts the
        // request off.
        http.handler(chunk -> {
            Buffer body = received.get();
            if (body == null) {
                return;
            }
            long length = (long) body.length() + chunk.length();
            if (length > cap) {
                refuse(ctx, received, arrival, memory.tooLarge(endpoint, length, false));
            } else if (!arrival.growTo(length)) {
                refuse(ctx, received, arrival, memory.busyArriving(endpoint, length));
            } else {
                body.appendBuffer(chunk);
            }
        });
        http.exceptionHandler(
                failure -> { // the connection went away, or was cut off
                    received.set(null);
                    arrival.close();
                });
        http.endHandler(ended -> {
            Buffer body = received.getAndSet(null);
            if (body == null) { // refused as it arrived, answered, and now read to its end: the request is over
                if (ctx.response().ended()) {
                    leave.run();
                }
                return;
            }
            try {
                decide(ctx, validate, fromApiServer, body.getBytes(), arrival);
            } catch (RuntimeException e) {
                // Whatever failed unforeseen: the memory goes back and the caller still gets its JSON answer.
                arrival.close();
                send(ctx, ReviewAnswer.failed(null, e));
            }
        });
        http.resume(); // the server pauses a request until a handler asks for its body
    }

    private static void refuse(
            RoutingContext ctx,
            AtomicReference<Buffer> received,
            RequestMemory.Reservation arrival,
            BadReviewException refusal) {
        received.set(null);
        arrival.close();
        send(ctx, ReviewAnswer.refused(refusal));
    }

    /**
     * A request of a caller the API server does not vouch for, beyond {@code tailor.reviews-in-flight}: answered 503,
     * its body never evaluated. Over HTTP/1.1 at once, and its connection closed (its body, unread, goes with it). Over
     * HTTP/2 once its body is read and dropped, the connection and its other streams untouched; only when four times the
     * count of refused bodies are still arriving is the stream reset as refused instead.
     */
    private void refuseBeyondCount(RoutingContext ctx, String endpoint) {
        HttpServerRequest http = ctx.request();
        HttpServerResponse response = ctx.response();
        metrics.refused(endpoint, "in-flight");
        long say = refusals.count();
        if (say > 0) {
            LOG.warnf(
                    "refused %d admission requests (the last to /%s from %s): callers the API server does not vouch "
                            + "for had %d open at once (tailor.reviews-in-flight)",
                    say, endpoint, http.remoteAddress(), othersAllowed);
        }
        ReviewAnswer tooMany = ReviewAnswer.refused(new BadReviewException(
                503, "", "too many admission requests open at once; the webhook's failurePolicy applies"));
        if (http.version() != HttpVersion.HTTP_2) {
            response.putHeader("Connection", "close");
            send(ctx, tooMany).onComplete(sent -> http.connection().close());
            return;
        }
        if (!othersDraining.tryAcquire()) {
            response.reset(REFUSED_STREAM);
            return;
        }
        Runnable leave = Permits.releaseOnce(othersDraining);
        // The deadline's end handler gives the count back once the answer is sent after the body's end, or the
        // stream is gone; a body that never ends is cut off at the deadline like any other.
        long timer = cutOffAtDeadline(ctx, endpoint, leave);
        UnreadBodies.readHere(ctx);
        http.handler(chunk -> {}); // dropped as it comes, so a refused body holds no memory
        http.exceptionHandler(failure -> {
            ctx.vertx().cancelTimer(timer);
            leave.run();
        });
        // Answered once the client has sent all of it: an answer before that makes Go's client (the API server's)
        // cancel the rest with a reset, and Netty counts those resets too.
        http.endHandler(ended -> send(ctx, tooMany));
        http.resume();
    }

    /**
     * Cuts the request off if it is still unanswered at the deadline, or its body still arriving after its answer: the
     * API server has stopped waiting for it by then, and whatever memory its body holds goes back. {@code leave} runs
     * once the request is over: answered and its body read, gone, or cut off. Returns the deadline's timer.
     */
    private long cutOffAtDeadline(RoutingContext ctx, String endpoint, Runnable leave) {
        HttpServerRequest http = ctx.request();
        long timer = ctx.vertx().setTimer(deadlineMillis, fired -> {
            leave.run();
            HttpServerResponse response = ctx.response();
            if (response.closed() || (response.ended() && http.isEnded())) {
                return;
            }
            metrics.refused(endpoint, "deadline");
            LOG.warnf(
                    "cut off an admission request to /%s from %s after %d ms (tailor.review-deadline): %s",
                    endpoint,
                    http.remoteAddress(),
                    deadlineMillis,
                    response.ended() ? "its body was still arriving after its answer" : "its body had not arrived");
            if (http.version() == HttpVersion.HTTP_2) {
                response.reset(); // this stream only
            } else {
                http.connection().close();
            }
        });
        ctx.addEndHandler(ended -> {
            if (http.isEnded() || ended.failed()) { // answered and read, or its stream or connection gone
                ctx.vertx().cancelTimer(timer);
                leave.run();
            }
        });
        return timer;
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

    /** A body read whole: evaluated here when it is small and its heap is free, else on a worker that may wait. */
    private void decide(
            RoutingContext ctx,
            boolean validate,
            boolean fromApiServer,
            byte[] body,
            RequestMemory.Reservation arrival) {
        if (body.length <= LARGEST_ON_LOOP) {
            Optional<RequestMemory.Reservation> review = memory.reviewNow(body.length);
            if (review.isPresent()) {
                arrival.close();
                decideHere(ctx, validate, fromApiServer, body, review.get());
                return;
            }
        }
        Function<JsonNode, ObjectNode> decision = validate
                ? request -> pooled.validate(request, fromApiServer)
                : request -> pooled.mutate(request, fromApiServer);
        long read = System.nanoTime();
        onWorker(ctx, () -> memory.answer(validate ? "validate" : "mutate", body, arrival, read, decision));
    }

    private void decideHere(
            RoutingContext ctx,
            boolean validate,
            boolean fromApiServer,
            byte[] body,
            RequestMemory.Reservation review) {
        JsonNode request;
        try {
            request = AdmissionReviews.decodeRequest(body);
        } catch (BadReviewException e) {
            review.close();
            send(ctx, ReviewAnswer.refused(e));
            return;
        }
        if ((validate && request.path("kind").path("kind").asText().equals("Namespace"))
                || resident.mayAsk(request, fromApiServer)) {
            onWorker(ctx, () -> {
                try {
                    return ReviewAnswer.decided(
                            request,
                            validate ? r -> pooled.validate(r, fromApiServer) : r -> pooled.mutate(r, fromApiServer));
                } finally {
                    review.close();
                }
            });
            return;
        }
        ReviewAnswer answer;
        try {
            answer = ReviewAnswer.decided(
                    request,
                    validate ? r -> resident.validate(r, fromApiServer) : r -> resident.mutate(r, fromApiServer));
        } finally {
            review.close();
        }
        send(ctx, answer);
    }

    private static void onWorker(RoutingContext ctx, Callable<ReviewAnswer> work) {
        ctx.vertx()
                .executeBlocking(work, false)
                .onComplete(
                        done -> send(ctx, done.succeeded() ? done.result() : ReviewAnswer.failed(null, done.cause())));
    }

    private static Future<Void> send(RoutingContext ctx, ReviewAnswer answer) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return Future.succeededFuture(); // cut off at the deadline, or the caller went away
        }
        return response.setStatusCode(answer.status())
                .putHeader("Content-Type", MediaType.APPLICATION_JSON)
                .end(Buffer.buffer(AdmissionReviews.toBytes(answer.review())));
    }
}
