package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the requests in flight share the webhook's request memory. */
class RequestMemoryTest {

    private static final int MIB = 1 << 20;

    @Test
    void theLargestBodiesAreWhatTheMemoryCovers() {
        RequestMemory memory = new RequestMemory(64L * MIB);
        assertEquals(MIB, memory.reviews().largestBody(), "64 MiB at 64 bytes of heap per byte of review");
        assertEquals(32L * MIB / 3, memory.batches().largestBody(), "half of it at 3 bytes per byte of batch");
        assertThrows(IllegalArgumentException.class, () -> memory.reviews().reserve(MIB + 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new RequestMemory(1024));
    }

    @Test
    void smallReviewsPassBesideALargeOne() throws Exception {
        RequestMemory memory = new RequestMemory(64L * MIB);
        try (RequestMemory.Reservation large =
                memory.reviews().reserve(MIB * 3 / 4, Duration.ZERO).orElseThrow()) {
            assertTrue(large.bodyBytes() >= MIB * 3 / 4);
            for (int i = 0; i < 50; i++) {
                // a pod's review is a few KB: 50 of them in flight beside the large one, none waiting
                assertTrue(memory.reviews().reserve(5_000, Duration.ZERO).isPresent(), "small review " + i);
            }
        }
    }

    @Test
    void aLargeReviewWaitsForTheOneInFlightAndGivesUpAfterItsWait() throws Exception {
        RequestMemory memory = new RequestMemory(64L * MIB);
        RequestMemory.Reservation first =
                memory.reviews().reserve(MIB * 3 / 4, Duration.ZERO).orElseThrow();
        long start = System.nanoTime();
        Optional<RequestMemory.Reservation> second = memory.reviews().reserve(MIB / 2, Duration.ofMillis(200));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(second.isPresent(), "two large reviews do not fit together");
        assertTrue(waited >= 190, "waited " + waited + " ms");

        CompletableFuture<Optional<RequestMemory.Reservation>> third = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.reviews().reserve(MIB / 2, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertFalse(third.isDone(), "waits while the first holds the memory");
        first.close();
        assertTrue(third.get(5, TimeUnit.SECONDS).isPresent(), "given the memory once the first is answered");
    }

    @Test
    void batchesNeverHoldTheHalfThatReviewsAlwaysHave() throws Exception {
        RequestMemory memory = new RequestMemory(64L * MIB);
        RequestMemory.Share batches = memory.batches();
        RequestMemory.Reservation batch =
                batches.reserve(batches.largestBody(), Duration.ZERO).orElseThrow();
        assertFalse(batches.reserve(MIB, Duration.ZERO).isPresent(), "a second batch waits for the first");
        try (RequestMemory.Reservation review = memory.reviews()
                .reserve(memory.reviews().largestBody() / 2 - 1024, Duration.ZERO)
                .orElseThrow()) {
            assertTrue(review.bodyBytes() > 0, "a review of half the largest passes beside the largest batch");
        }
        batch.close();
        assertEquals(64L * MIB, memory.availableBytes());
        assertTrue(batches.reserve(batches.largestBody(), Duration.ZERO).isPresent(), "its share given back");
    }

    @Test
    void aReservationIsGivenBackOnceHoweverOftenItIsClosed() throws Exception {
        RequestMemory memory = new RequestMemory(64L * MIB);
        long all = memory.availableBytes();
        RequestMemory.Reservation r =
                memory.reviews().reserve(100_000, Duration.ZERO).orElseThrow();
        assertEquals(all - 6_400_000, memory.availableBytes(), 1024);
        r.close();
        r.close();
        assertEquals(all, memory.availableBytes());
    }
}
