package dev.tailor.webhook;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The heap that the requests in flight may take together: admission reviews and ingest batches each cost far more
 * heap than their body, and without a bound a few large ones at once end the webhook — and with it every decision of
 * every enforced namespace. Measured with the Deployment's JVM (96 MiB heap, 27 MiB of it live at rest): two UPDATE
 * reviews of 2.4 MB (a Deployment with 40,000 environment variables, as object and oldObject), one of 2.9 MB, or two
 * audit batches of 16 MiB each exhausted it — the reviews from any namespace editor with kubectl.
 *
 * <p>A request reserves its heap before its body is read, from the length it announces (or, unannounced, the most
 * it may be): it waits while the requests in flight hold the rest, and one that could never fit is refused unread.
 * Reviews may take all of it; ingest batches at most half, so that log shippers never hold the memory that admission
 * reviews need. Small requests — a pod's review is a few KB — never notice; large ones take their turn.
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
     * per byte for audit events, measured) and the young garbage of reading it.
     */
    public static final int BATCH_HEAP_PER_BYTE = 3;

    private static final int KIB = 1024;

    private final long capacityBytes;
    private final Semaphore kib;
    private final Share reviews;
    private final Share batches;

    /** @param capacityBytes the heap all requests in flight may take together */
    public RequestMemory(long capacityBytes) {
        if (capacityBytes < REVIEW_HEAP_PER_BYTE * (long) KIB) {
            throw new IllegalArgumentException("request memory of " + capacityBytes + " bytes is too small");
        }
        this.capacityBytes = capacityBytes;
        this.kib = new Semaphore(kib(capacityBytes), true);
        this.reviews = new Share(REVIEW_HEAP_PER_BYTE, capacityBytes);
        this.batches = new Share(BATCH_HEAP_PER_BYTE, capacityBytes / 2);
    }

    /** Half of the JVM's largest heap: the rest is the webhook's own (informers, caches, buffers, the engine). */
    public static RequestMemory halfOfHeap() {
        return new RequestMemory(Runtime.getRuntime().maxMemory() / 2);
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /** What admission reviews reserve: all of the memory. */
    public Share reviews() {
        return reviews;
    }

    /** What ingest batches reserve: half of the memory at most, whatever the reviews leave. */
    public Share batches() {
        return batches;
    }

    /** Heap not reserved by any request now (for tests). */
    long availableBytes() {
        return (long) kib.availablePermits() * KIB;
    }

    /** A body's length as a request's {@code Content-Length} announces it; -1 when it does not (absent, not a number). */
    public static long announced(String contentLength) {
        try {
            return contentLength == null ? -1 : Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int kib(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, (bytes + KIB - 1) / KIB);
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
            this.ceiling = ceilingBytes < capacityBytes ? new Semaphore(kib(ceilingBytes), true) : null;
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
            if (bodyBytes < 0 || bodyBytes > largestBody()) {
                throw new IllegalArgumentException(
                        "a body of " + bodyBytes + " bytes cannot be reserved (at most " + largestBody() + ")");
            }
            int permits = Math.max(1, kib(bodyBytes * heapPerByte));
            long deadline = System.nanoTime() + wait.toNanos();
            if (ceiling != null && !ceiling.tryAcquire(permits, wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return Optional.empty();
            }
            if (!kib.tryAcquire(permits, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                releaseCeiling(permits);
                return Optional.empty();
            }
            return Optional.of(new Reservation(this, permits));
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
        private final int permits;
        private final AtomicBoolean released = new AtomicBoolean();

        private Reservation(Share share, int permits) {
            this.share = share;
            this.permits = permits;
        }

        /** The most body bytes this reservation covers. */
        public long bodyBytes() {
            return (long) permits * KIB / share.heapPerByte;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                kib.release(permits);
                share.releaseCeiling(permits);
            }
        }
    }
}
