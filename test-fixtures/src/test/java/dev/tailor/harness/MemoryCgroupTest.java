package dev.tailor.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container's memory limit that {@code ./tailor bench} holds the webhook to: a process beyond it is killed by the
 * kernel, one within it runs to its end and its peak is kept. (Where this machine lets no process make a memory
 * cgroup, the bench says so and holds the limit as MaxRAM alone; so are these tests left out, and say why.)
 */
class MemoryCgroupTest {

    private static final long MIB = 1 << 20;

    @Test
    void aProcessBeyondTheLimitIsKilledAndCounted() throws Exception {
        try (MemoryCgroup cgroup = made("beyond", 48 * MIB)) {
            int exit = run(cgroup, 128);
            assertEquals(137, exit, "128 MiB in a 48 MiB cgroup: killed by SIGKILL");
            assertEquals(1, cgroup.oomKills());
        }
    }

    @Test
    void aProcessWithinTheLimitRunsAndItsPeakIsKept() throws Exception {
        try (MemoryCgroup cgroup = made("within", 128 * MIB)) {
            assertEquals(0, run(cgroup, 32));
            assertEquals(0, cgroup.oomKills());
            long peak = cgroup.peakBytes();
            assertTrue(peak >= 32 * MIB && peak <= 128 * MIB, "peak " + peak);
        }
    }

    @Test
    void closingRemovesTheCgroup() throws Exception {
        MemoryCgroup cgroup = made("removed", 64 * MIB);
        Path dir = Path.of(cgroup.toString());
        assertEquals(0, run(cgroup, 1));
        cgroup.close();
        assertFalse(Files.exists(dir), dir + " left behind");
    }

    private static MemoryCgroup made(String name, long limit) {
        Optional<MemoryCgroup> cgroup =
                MemoryCgroup.create("tailor-test-" + ProcessHandle.current().pid() + "-" + name, limit);
        assumeTrue(cgroup.isPresent(), "this machine lets no process make a memory cgroup (/proc/self/cgroup)");
        return cgroup.get();
    }

    /** Python filling {@code mib} MiB (each page written, so charged) in the cgroup; its exit code. */
    private static int run(MemoryCgroup cgroup, int mib) throws Exception {
        Process p = new ProcessBuilder(cgroup.wrap(List.of(
                        "python3",
                        "-c",
                        "b = bytearray(" + mib + " << 20)\nfor i in range(0, len(b), 4096): b[i] = 1")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not end");
        return p.exitValue();
    }
}
