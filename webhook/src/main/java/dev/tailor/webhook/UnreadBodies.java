package dev.tailor.webhook;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * A request answered before its body has all come — refused by the REST layer (401, 404, 415, 413) before the endpoint
 * read it — has the rest of its body read and dropped as it comes, and is cut off after {@link #LINGER_MILLIS}: its
 * HTTP/2 stream reset, its HTTP/1.1 connection closed (the answer says {@code Connection: close}, and it is closed once
 * the body has come).
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

    /** How long the rest of a body answered early is read and dropped before its stream or connection is cut off. */
    private static final long LINGER_MILLIS = 10_000;

    private UnreadBodies() {}

    /** Stops the request's body from coming once it is answered, unless all of it came first or it is read here. */
    static void stopWhenAnswered(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.version() != HttpVersion.HTTP_2) {
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
            // Not stopped outright: an HTTP/1.1 client still sending when its connection closes gets a reset and loses
            // the answer it had not read, and Java's HTTP/2 client (17) waits for ever on a stream reset after its
            // answer. So the rest is read and dropped as it comes, and cut off after LINGER_MILLIS.
            boolean http2 = request.version() == HttpVersion.HTTP_2;
            long linger = ctx.vertx().setTimer(LINGER_MILLIS, late -> {
                if (http2) {
                    ctx.response().reset(CANCEL);
                } else {
                    request.connection().close();
                }
            });
            request.handler(chunk -> {});
            request.exceptionHandler(gone -> ctx.vertx().cancelTimer(linger));
            request.endHandler(ended -> {
                ctx.vertx().cancelTimer(linger);
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
