package dev.tailor.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void onATerminalTheLineShowsBytesRatesAndTheBar() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        AtomicLong read = new AtomicLong(25_000_000);
        Progress progress =
                new Progress(new PrintStream(buffer, true, StandardCharsets.UTF_8), true, read, 100_000_000);
        progress.event();
        progress.finish();
        String line = buffer.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("\r[#####...............]  25%  25 MB of 100 MB  "), line);
        assertTrue(line.contains(" MB/s ") && line.contains(" events/s") && line.contains("ETA "), line);
        assertTrue(line.endsWith(System.lineSeparator()), "finish ends the line");
    }

    @Test
    void withoutATerminalItPrintsNothing() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Progress progress =
                new Progress(new PrintStream(buffer, true, StandardCharsets.UTF_8), false, new AtomicLong(5), 10);
        for (int i = 0; i < 5000; i++) {
            progress.event();
        }
        progress.clear();
        progress.finish();
        assertEquals("", buffer.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownTotalShowsNoPercentageAndNoEta() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Progress progress =
                new Progress(new PrintStream(buffer, true, StandardCharsets.UTF_8), true, new AtomicLong(3_000_000), 0);
        progress.finish();
        String line = buffer.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("\r3.0 MB read  "), line);
        assertTrue(!line.contains("%") && !line.contains("ETA"), line);
    }
}
