package dev.tailor.webhook.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The snapshot's body yields to admission: after each chunk it pauses as long as it spent on the CPU making it. */
class YieldingOutputTest {

    @Test
    void pausesAfterEachChunkAsLongAsItsCpuTimeAndPassesEveryByte() throws Exception {
        List<Long> pauses = new ArrayList<>();
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        byte[] body = new byte[3 * YieldingOutput.CHUNK + 1000];
        new Random(7).nextBytes(body);
        var threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        try (YieldingOutput out = new YieldingOutput(client, pauses::add)) {
            for (int i = 0; i < body.length; i += 8192) {
                burn(); // the work of making the next 8 KiB
                out.write(body, i, Math.min(8192, body.length - i));
            }
            out.write(0);
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        byte[] expected = java.util.Arrays.copyOf(body, body.length + 1);
        assertArrayEquals(expected, client.toByteArray());
        assertEquals(3, pauses.size(), "a pause per " + YieldingOutput.CHUNK + " bytes: " + pauses);
        long paused = pauses.stream().mapToLong(Long::longValue).sum();
        // The pauses are the CPU time spent up to the last of them: most of the whole's, never more.
        assertTrue(paused <= cpu, paused + " ns paused, " + cpu + " ns of CPU");
        assertTrue(paused >= cpu * 3 / 4, paused + " ns paused, " + cpu + " ns of CPU");
        assertTrue(pauses.stream().allMatch(p -> p > 0), pauses.toString());
    }

    private static double sink;

    private static void burn() {
        double x = 0;
        for (int i = 0; i < 20_000; i++) {
            x += Math.sqrt(i);
        }
        sink += x;
    }
}
