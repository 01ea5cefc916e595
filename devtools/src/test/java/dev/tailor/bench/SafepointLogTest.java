package dev.tailor.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafepointLogTest {

    /** Lines as Java 17 (the machine's) writes them with {@code -Xlog:safepoint:file=…:timemillis}. */
    @Test
    void theStopsOfARunAreThoseLoggedWithinIt(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("safepoints.log"), """
                [1764990000100ms] Safepoint "GenCollectForAllocation", Time since last: 725313733 ns, \
                Reaching safepoint: 3386 ns, Cleanup: 161507 ns, At safepoint: 10094553 ns, Total: 10259446 ns
                [1764990001000ms] Safepoint "GenCollectForAllocation", Time since last: 238721310 ns, \
                Reaching safepoint: 2765 ns, Cleanup: 38435 ns, At safepoint: 6593270 ns, Total: 6634470 ns
                [1764990001500ms] Safepoint "Deoptimize", Time since last: 5000 ns, Reaching safepoint: 31000000 ns, \
                Cleanup: 100 ns, At safepoint: 2000000 ns, Total: 33000100 ns
                [1764990002000ms] Safepoint "Cleanup", Time since last: 1000 ns, Reaching safepoint: 100 ns, \
                Cleanup: 100 ns, At safepoint: 100 ns, Total: 300 ns
                [1764990009000ms] Safepoint "GenCollectForAllocation", Time since last: 1 ns, Reaching safepoint: 1 ns, \
                Cleanup: 1 ns, At safepoint: 90000000 ns, Total: 90000003 ns
                """);

        SafepointLog.Stops run = SafepointLog.between(log, 1764990001000L, 1764990002000L);
        assertEquals(3, run.count());
        assertEquals((6634470 + 33000100 + 300) / 1e6, run.totalMillis(), 1e-9);
        assertEquals(33.0001, run.longestMillis(), 1e-9);
        assertEquals("Deoptimize", run.longest());
        assertEquals("3 safepoints, 39.6 ms in all, the longest 33.0 ms (Deoptimize)", run.describe());

        assertEquals(5, SafepointLog.between(log, 0, Long.MAX_VALUE).count());
        assertEquals(
                "no safepoint",
                SafepointLog.between(log, 1764990003000L, 1764990008000L).describe());
        assertEquals(
                0,
                SafepointLog.between(dir.resolve("none.log"), 0, Long.MAX_VALUE).count());
    }

    /** A line as Java 25 — the image's runtime — writes it: a leaving time, and the threads after the total. */
    @Test
    void javaTwentyFivesLinesAreReadToo(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("safepoints.log"), """
                [1796535911002ms] Safepoint "SerialCollectForAllocation", Time since last: 369424113 ns, \
                Reaching safepoint: 5084 ns, At safepoint: 20104841 ns, Leaving safepoint: 6420769 ns, \
                Total: 26530694 ns, Threads: 0 runnable, 11 total
                """);

        assertEquals(
                "1 safepoints, 26.5 ms in all, the longest 26.5 ms (SerialCollectForAllocation)",
                SafepointLog.between(log, 0, Long.MAX_VALUE).describe());
    }
}
