package dev.tailor.webhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the reviews in flight share the webhook's review memory. */
class ReviewMemoryTest {

    private static final int MIB = 1 << 20;

    @Test
    void theLargestReviewIsWhatTheWholeMemoryCovers() {
        ReviewMemory memory = new ReviewMemory(64L * MIB);
        assertEquals(MIB, memory.largestBody(), "64 MiB at 64 bytes of heap per byte of body");
        assertThrows(IllegalArgumentException.class, () -> memory.reserve(MIB + 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new ReviewMemory(1024));
    }

    @Test
    void smallReviewsPassBesideALargeOne() throws Exception {
        ReviewMemory memory = new ReviewMemory(64L * MIB);
        try (ReviewMemory.Reservation large =
                memory.reserve(MIB * 3 / 4, Duration.ZERO).orElseThrow()) {
            assertTrue(large.bodyBytes() >= MIB * 3 / 4);
            for (int i = 0; i < 50; i++) {
                // a pod's review is a few KB: 50 of them in flight beside the large one, none waiting
                assertTrue(memory.reserve(5_000, Duration.ZERO).isPresent(), "small review " + i);
            }
        }
    }

    @Test
    void aLargeReviewWaitsForTheOneInFlightAndGivesUpAfterItsWait() throws Exception {
        ReviewMemory memory = new ReviewMemory(64L * MIB);
        ReviewMemory.Reservation first =
                memory.reserve(MIB * 3 / 4, Duration.ZERO).orElseThrow();
        long start = System.nanoTime();
        Optional<ReviewMemory.Reservation> second = memory.reserve(MIB / 2, Duration.ofMillis(200));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(second.isPresent(), "two large reviews do not fit together");
        assertTrue(waited >= 190, "waited " + waited + " ms");

        CompletableFuture<Optional<ReviewMemory.Reservation>> third = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.reserve(MIB / 2, Duration.ofSeconds(10));
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
    void aReservationIsGivenBackOnceHoweverOftenItIsClosed() throws Exception {
        ReviewMemory memory = new ReviewMemory(64L * MIB);
        long all = memory.availableBytes();
        ReviewMemory.Reservation r = memory.reserve(100_000, Duration.ZERO).orElseThrow();
        assertEquals(all - 6_400_000 / 1024 * 1024, memory.availableBytes(), 1024);
        r.close();
        r.close();
        assertEquals(all, memory.availableBytes());
    }
}
