package dev.tailor.webhook.admission;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The heap that the admission reviews in flight may take together. A review costs far more heap than its body: its
 * JSON tree, the input the policies are given, and the policy module's own copy of it in WebAssembly memory. Without a
 * bound, any namespace editor could end the webhook — and with it every decision of every enforced namespace — by
 * applying a few large Deployments at once: two UPDATE reviews of 2.4 MB each (a Deployment with 40,000 environment
 * variables, as object and oldObject) exhausted the 96 MiB heap of the Deployment's JVM, and one of 2.9 MB alone did.
 *
 * <p>Each review reserves {@value #HEAP_PER_BODY_BYTE} bytes of heap per byte of its body before its body is read,
 * taken from the length it announces (or, unannounced, the most it may be): a review waits while the reviews in
 * flight hold the rest, and one that could never fit is refused without being read into memory. Small reviews — a
 * pod is a few KB — never notice; large ones take their turn.
 */
public final class ReviewMemory {

    /**
     * Heap per byte of body, at most, as measured on the policy inputs that expand the most (arrays of one-letter
     * strings: 17 bytes of JSON tree and 37 of WebAssembly memory per byte; environment variables 13 and 16), with the
     * body and the input's own bytes on top.
     */
    public static final int HEAP_PER_BODY_BYTE = 64;

    private static final int KIB = 1024;

    private final long capacityBytes;
    private final Semaphore kib;

    /** @param capacityBytes the heap all reviews in flight may take together */
    public ReviewMemory(long capacityBytes) {
        if (capacityBytes < HEAP_PER_BODY_BYTE * (long) KIB) {
            throw new IllegalArgumentException("review memory of " + capacityBytes + " bytes is too small");
        }
        this.capacityBytes = capacityBytes;
        this.kib = new Semaphore((int) Math.min(Integer.MAX_VALUE, capacityBytes / KIB), true);
    }

    /** Half of the JVM's largest heap: the rest is the webhook's own (informers, caches, buffers, the engine). */
    public static ReviewMemory halfOfHeap() {
        return new ReviewMemory(Runtime.getRuntime().maxMemory() / 2);
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /** The largest review body that can be evaluated at all, alone. */
    public long largestBody() {
        return capacityBytes / HEAP_PER_BODY_BYTE;
    }

    /**
     * Reserves the heap of a review of {@code bodyBytes} ({@code bodyBytes <= largestBody()}), waiting at most
     * {@code wait} for reviews in flight to release theirs; empty when they did not in time.
     */
    public Optional<Reservation> reserve(long bodyBytes, Duration wait) throws InterruptedException {
        if (bodyBytes < 0 || bodyBytes > largestBody()) {
            throw new IllegalArgumentException(
                    "a review of " + bodyBytes + " bytes cannot be reserved (at most " + largestBody() + ")");
        }
        int permits = (int) Math.max(1, (bodyBytes * HEAP_PER_BODY_BYTE + KIB - 1) / KIB);
        if (!kib.tryAcquire(permits, wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return Optional.empty();
        }
        return Optional.of(new Reservation(permits));
    }

    /** Heap not reserved by any review now (for tests and metrics). */
    public long availableBytes() {
        return (long) kib.availablePermits() * KIB;
    }

    /** A review's share of the heap, given back once, when the review has been answered. */
    public final class Reservation implements AutoCloseable {
        private final int permits;
        private final AtomicBoolean released = new AtomicBoolean();

        private Reservation(int permits) {
            this.permits = permits;
        }

        /** The most body bytes this reservation covers. */
        public long bodyBytes() {
            return (long) permits * KIB / HEAP_PER_BODY_BYTE;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                kib.release(permits);
            }
        }
    }
}
