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

        CompletableFuture<Optional<RequestMemory.Reservation>> third = halfAMiBReviewWaiting(memory);
        Thread.sleep(100);
        assertFalse(third.isDone(), "waits while the first holds the memory");
        first.close();
        assertTrue(third.get(5, TimeUnit.SECONDS).isPresent(), "given the memory once the first is answered");
    }

    @Test
    void arrivingBodiesNeverHoldMoreThanAQuarterAndTheReviewsReadWholePassBeside() throws Exception {
        RequestMemory memory = new RequestMemory(64L * MIB);
        RequestMemory.Share arrivals = memory.arrivals();
        assertEquals(8L * MIB, arrivals.largestBody(), "a quarter, at two bytes of heap per byte");
        // Eight of the largest reviews arriving at once hold the arrivals' quarter.
        java.util.List<RequestMemory.Reservation> arriving = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            arriving.add(arrivals.reserveNow(memory.reviews().largestBody()).orElseThrow());
        }
        assertFalse(arrivals.reserveNow(1).isPresent(), "the arrivals' quarter is held");
        try (RequestMemory.Reservation review = memory.reviews()
                .reserve(memory.reviews().largestBody() * 3 / 4 - 1024, Duration.ZERO)
                .orElseThrow()) {
            assertTrue(review.bodyBytes() > 0, "a review read whole takes the three quarters they leave");
        }
        arriving.forEach(RequestMemory.Reservation::close);
        assertEquals(64L * MIB, memory.availableBytes());
    }

    @Test
    void anArrivalGrowsWithItsBodyWhileTheMemoryIsFreeAndGivesBackAllOfIt() throws Exception {
        RequestMemory memory = new RequestMemory(64L * MIB);
        RequestMemory.Reservation arrival = memory.arrivals().reserveNow(0).orElseThrow();
        assertEquals(64L * MIB - 64, memory.availableBytes(), "a body not yet arrived: the least unit, 64 bytes");
        assertTrue(arrival.growTo(8), "its first 8 bytes");
        assertEquals(64L * MIB - 64, memory.availableBytes(), "16 bytes of heap: still one unit");
        assertTrue(arrival.growTo(16 * 1024), "16 KiB of it");
        assertEquals(64L * MIB - 32 * 1024, memory.availableBytes(), "at 2 bytes per byte");
        assertTrue(arrival.growTo(1_000), "a body within what it holds");
        assertEquals(64L * MIB - 32 * 1024, memory.availableBytes(), "nothing given back while it arrives");
        assertTrue(arrival.growTo(MIB), "grown to 1 MiB");
        assertEquals(64L * MIB - 2 * MIB, memory.availableBytes());
        try (RequestMemory.Reservation others = memory.arrivals()
                .reserveNow(memory.arrivals().largestBody() - MIB)
                .orElseThrow()) {
            assertFalse(arrival.growTo(MIB + 1024), "the arrivals' quarter is held: it cannot grow now");
            assertEquals(others.bodyBytes(), memory.arrivals().largestBody() - MIB);
        }
        assertTrue(arrival.growTo(MIB + 1024), "it can once the others are given back");
        arrival.close();
        assertFalse(arrival.growTo(MIB * 2), "a reservation given back does not grow");
        assertEquals(64L * MIB, memory.availableBytes(), "all of it given back, once");
        arrival.close();
        assertEquals(64L * MIB, memory.availableBytes());
    }

    @Test
    void anArrivalGoesAheadOfAReviewWaitingForItsHeap() throws Exception {
        RequestMemory memory = new RequestMemory(64L * MIB);
        RequestMemory.Reservation held =
                memory.reviews().reserve(MIB * 3 / 4, Duration.ZERO).orElseThrow();
        CompletableFuture<Optional<RequestMemory.Reservation>> waiting = halfAMiBReviewWaiting(memory);
        Thread.sleep(100);
        assertFalse(waiting.isDone(), "a large review waits for the one in flight");
        assertFalse(
                memory.reviews().reserve(5_000, Duration.ZERO).isPresent(),
                "a review read whole queues behind it (the memory is fair to the large ones)");
        try (RequestMemory.Reservation arrival =
                memory.arrivals().reserveNow(5_000).orElseThrow()) {
            assertTrue(arrival.bodyBytes() >= 5_000, "a body arriving is held at once all the same");
        }
        held.close();
        waiting.get(5, TimeUnit.SECONDS).orElseThrow().close();
    }

    /** A review of half a MiB that waits up to 10 s for its heap, on another thread. */
    private static CompletableFuture<Optional<RequestMemory.Reservation>> halfAMiBReviewWaiting(RequestMemory memory) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return memory.reviews().reserve(MIB / 2, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
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
