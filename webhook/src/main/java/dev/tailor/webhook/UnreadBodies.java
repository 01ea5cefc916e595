package dev.tailor.webhook;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Semaphore;

/**
 * A request answered before its body has all come — refused by the REST layer (401, 404, 415, 413) before the endpoint
 * read it — has the rest of its body read and dropped as it comes, and is cut off after {@code
 * tailor.review-deadline}: its HTTP/2 stream reset, its HTTP/1.1 connection closed (the answer says {@code Connection:
 * close}, and it is closed once the body has come). At most four times {@code tailor.reviews-in-flight} linger at
 * once; one more is cut off at once.
 *
 * <p>Until session 24 the rest of such a body was kept: the REST layer's blocking input queued every chunk for an
 * endpoint that never ran, and HTTP/2's flow control acknowledged each as it was queued. One connection posting 16
 * bodies of 10 MB to {@code /ingest/audit} without a token (a 401) ran the webhook's 96 MiB heap out in two seconds,
 * and the JVM exits on an exhausted heap. Bodies the webhook reads or drops itself ({@link EventLoopAdmission} marks
 * them with {@link #readHere}) are left to it.
 */
final class UnreadBodies {

    private static final String READ_HERE = "tailor.body-read-here";

    /** HTTP/2's CANCEL: the stream is no longer wanted. */
    private static final long CANCEL = 0x8;

    /**
     * Requests whose rest is being read and dropped now. Each holds about 5 KB of heap while it lingers (measured: 5,000
     * streams held on 401s, 23 MiB), and 512 connections of 100 streams could otherwise hold 51,200 of them.
     */
    private final Semaphore lingering;

    private final int most;

    /** How long the rest of a body answered early is read and dropped before its stream or connection is cut off. */
    private final long lingerMillis;

    UnreadBodies(int most, long lingerMillis) {
        this.most = most;
        this.lingering = new Semaphore(most);
        this.lingerMillis = lingerMillis;
    }

    /** Requests whose rest is being read and dropped now (for tests). */
    int lingering() {
        return most - lingering.availablePermits();
    }

    /** Stops the request's body from coming once it is answered, unless all of it came first or it is read here. */
    void stopWhenAnswered(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        if (!http2) {
            ctx.addHeadersEndHandler(headers -> {
                if (!request.isEnded() && ctx.get(READ_HERE) == null) {
                    ctx.response().putHeader("Connection", "close");
                }
            });
        }
        ctx.addEndHandler(answered -> {
            if (!answered.succeeded() || request.isEnded() || ctx.get(READ_HERE) != null) {
                return;
            }
            Runnable cutOff = () -> {
                if (http2) {
                    ctx.response().reset(CANCEL);
                } else {
                    request.connection().close();
                }
            };
            if (!lingering.tryAcquire()) { // as many linger already: this one is cut off at once
                cutOff.run();
                return;
            }
            // Not cut off at once: an HTTP/1.1 client still sending when its connection closes gets a reset and loses
            // the answer it had not read, and Java's HTTP/2 client (17) waits for ever on a stream reset after its
            // answer. So the rest is read and dropped as it comes, and cut off after the linger.
            Runnable leave = Permits.releaseOnce(lingering);
            long linger = ctx.vertx().setTimer(lingerMillis, late -> {
                leave.run();
                cutOff.run();
            });
            request.handler(chunk -> {});
            request.exceptionHandler(gone -> {
                ctx.vertx().cancelTimer(linger);
                leave.run();
            });
            request.endHandler(ended -> {
                ctx.vertx().cancelTimer(linger);
                leave.run();
                if (!http2) {
                    request.connection().close(); // as the answer said
                }
            });
            request.resume();
        });
    }

    /** The request's body is read, or read and dropped, by the handler that answers it. */
    static void readHere(RoutingContext ctx) {
        ctx.put(READ_HERE, Boolean.TRUE);
    }
}
