package dev.tailor.webhook;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The heap that the requests in flight may take together: admission reviews and ingest batches each cost far more
 * heap than their body, and without a bound a few large ones at once end the webhook — and with it every decision of
 * every enforced namespace. Measured with the Deployment's JVM (96 MiB heap, 27 MiB of it live at rest): two UPDATE
 * reviews of 2.4 MB (a Deployment with 40,000 environment variables, as object and oldObject), one of 2.9 MB, or two
 * audit batches of 16 MiB each, read whole, exhausted it — the reviews from any namespace editor with kubectl.
 *
 * <p>An ingest batch reserves its heap before its body is read, from the length it announces (or, unannounced, the
 * most it may be): it waits while the requests in flight hold the rest, and one that could never fit is refused
 * unread. Ingest batches take at most half, so that log shippers never hold the memory that admission reviews need.
 *
 * <p>An admission review reserves its heap in two steps, because anyone who reaches the port can send one slowly: while
 * its body arrives it holds only the buffer of the bytes received so far, as an <em>arrival</em> that grows with them
 * (at most a quarter of the memory for all bodies arriving at once); once the body is whole it takes the review's full
 * heap, which reviews may take all of. A body that never finishes arriving then holds what it sent, not the heap the
 * reviews after it need: one connection that announced the largest review and sent eight bytes of it used to keep
 * every review after it waiting for two seconds, then refused. Small requests — a pod's review is a few KB — never
 * notice; large ones take their turn.
 */
public final class RequestMemory {

    /**
     * A review's heap per byte of body, at most, as measured on the policy inputs that expand the most (arrays of
     * one-letter strings: 17 bytes of JSON tree and 37 of WebAssembly memory per byte; environment variables 13 and 16),
     * with the body and the input's own bytes on top.
     */
    public static final int REVIEW_HEAP_PER_BYTE = 64;

    /**
     * An ingest batch's heap per byte of body: the body, what its reader keeps until the batch is stored (1.6 bytes
     * per byte for audit events read whole, measured) and the young garbage of reading it. Audit batches and batches
     * of lines, read as they arrive, reserve the heap of a few MiB of body at most (IngestResource.STREAM_BYTES); OTLP
     * requests are read whole.
     */
    public static final int BATCH_HEAP_PER_BYTE = 3;

    /** An arriving body's heap per byte: its buffer, which doubles as it grows. */
    public static final int ARRIVAL_HEAP_PER_BYTE = 2;

    /**
     * The memory's unit: fine enough that what a stalled request holds stays small (an HTTP/2 stream that sent a byte
     * of its body holds one unit; 512 connections of 16 streams each, half a MiB), coarse enough for an int count.
     */
    private static final int UNIT = 64;

    private final long capacityBytes;
    private final Semaphore units;
    private final Share reviews;
    private final Share batches;
    private final Share arrivals;
    private final Share apiServerArrivals;

    /** @param capacityBytes the heap all requests in flight may take together */
    public RequestMemory(long capacityBytes) {
        if (capacityBytes < REVIEW_HEAP_PER_BYTE * 1024L) {
            throw new IllegalArgumentException("request memory of " + capacityBytes + " bytes is too small");
        }
        this.capacityBytes = capacityBytes;
        this.units = new Semaphore(units(capacityBytes), true);
        this.reviews = new Share(REVIEW_HEAP_PER_BYTE, capacityBytes);
        this.batches = new Share(BATCH_HEAP_PER_BYTE, capacityBytes / 2);
        this.arrivals = new Share(ARRIVAL_HEAP_PER_BYTE, capacityBytes / 4);
        this.apiServerArrivals = new Share(ARRIVAL_HEAP_PER_BYTE, capacityBytes);
    }

    /** Half of the JVM's largest heap: the rest is the webhook's own (informers, caches, buffers, the engine). */
    public static RequestMemory halfOfHeap() {
        return new RequestMemory(Runtime.getRuntime().maxMemory() / 2);
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /** What admission reviews reserve once their body has arrived: all of the memory. */
    public Share reviews() {
        return reviews;
    }

    /** What ingest batches reserve: half of the memory at most, whatever the reviews leave. */
    public Share batches() {
        return batches;
    }

    /**
     * What admission review bodies reserve while they arrive: a quarter of the memory at most, whatever the reviews
     * leave — so that bodies sent slowly, or never finished, cannot hold what the reviews read whole need.
     */
    public Share arrivals() {
        return arrivals;
    }

    /**
     * What the bodies of the API server's own reviews reserve while they arrive, when it proved who it is: all of the
     * memory, whatever the arrivals' quarter holds — bodies that others send slowly never hold what its reviews need.
     */
    public Share apiServerArrivals() {
        return apiServerArrivals;
    }

    /** Heap not reserved by any request now (for tests). */
    long availableBytes() {
        return (long) units.availablePermits() * UNIT;
    }

    /** A body's length as a request's {@code Content-Length} announces it; -1 when it does not (absent, not a number). */
    public static long announced(String contentLength) {
        try {
            return contentLength == null ? -1 : Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int units(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, (bytes + UNIT - 1) / UNIT);
    }

    /** One kind of request's use of the memory: its heap per byte of body, and the most it may hold at once. */
    public final class Share {
        private final int heapPerByte;
        private final long ceilingBytes;
        /** Null when the share may take all of the memory: then the memory's own bound is the only one. */
        private final Semaphore ceiling;

        private Share(int heapPerByte, long ceilingBytes) {
            this.heapPerByte = heapPerByte;
            this.ceilingBytes = ceilingBytes;
            this.ceiling = ceilingBytes < capacityBytes ? new Semaphore(units(ceilingBytes), true) : null;
        }

        /** The largest body that can be reserved at all, alone. */
        public long largestBody() {
            return ceilingBytes / heapPerByte;
        }

        /**
         * Reserves the heap of a body of {@code bodyBytes} ({@code <= largestBody()}), waiting at most {@code wait}
         * for the requests in flight to release theirs; empty when they did not in time.
         */
        public Optional<Reservation> reserve(long bodyBytes, Duration wait) throws InterruptedException {
            int permits = permits(bodyBytes);
            long deadline = System.nanoTime() + wait.toNanos();
            if (ceiling != null && !ceiling.tryAcquire(permits, wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return Optional.empty();
            }
            if (!units.tryAcquire(permits, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                releaseCeiling(permits);
                return Optional.empty();
            }
            return Optional.of(new Reservation(this, permits));
        }

        /**
         * Reserves the heap of a body of {@code bodyBytes} if it is free now, ahead of requests waiting for theirs —
         * for what is held briefly and bounded by this share's ceiling, such as arriving bodies; never waits.
         */
        public Optional<Reservation> reserveNow(long bodyBytes) {
            int permits = permits(bodyBytes);
            return acquireNow(permits) ? Optional.of(new Reservation(this, permits)) : Optional.empty();
        }

        /** The units a body of {@code bodyBytes} ({@code <= largestBody()}) takes: one at least. */
        private int permits(long bodyBytes) {
            if (bodyBytes < 0 || bodyBytes > largestBody()) {
                throw new IllegalArgumentException(
                        "a body of " + bodyBytes + " bytes cannot be reserved (at most " + largestBody() + ")");
            }
            return Math.max(1, units(bodyBytes * heapPerByte));
        }

        private boolean acquireNow(int permits) {
            if (ceiling != null && !ceiling.tryAcquire(permits)) {
                return false;
            }
            if (!units.tryAcquire(permits)) {
                releaseCeiling(permits);
                return false;
            }
            return true;
        }

        private void releaseCeiling(int permits) {
            if (ceiling != null) {
                ceiling.release(permits);
            }
        }
    }

    /** A request's share of the heap, given back once, when the request has been answered. */
    public final class Reservation implements AutoCloseable {
        private final Share share;
        private int permits;
        private boolean released;

        private Reservation(Share share, int permits) {
            this.share = share;
            this.permits = permits;
        }

        /** The most body bytes this reservation covers. */
        public synchronized long bodyBytes() {
            return (long) permits * UNIT / share.heapPerByte;
        }

        /**
         * Grows this reservation to cover a body of {@code bodyBytes}, if the heap is free now, as {@link
         * Share#reserveNow} does; whether it covers them. A body may grow to its share's largest.
         */
        public synchronized boolean growTo(long bodyBytes) {
            if (released || bodyBytes > share.largestBody()) {
                return false;
            }
            int more = units(bodyBytes * share.heapPerByte) - permits;
            if (more > 0) {
                if (!share.acquireNow(more)) {
                    return false;
                }
                permits += more;
            }
            return true;
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                units.release(permits);
                share.releaseCeiling(permits);
            }
        }
    }
}
