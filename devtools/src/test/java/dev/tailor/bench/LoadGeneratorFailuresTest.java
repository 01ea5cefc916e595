package dev.tailor.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LoadGeneratorFailuresTest {

    @Test
    void failuresAreCountedByWhatTheyGotWhicheverConnectionItWas() {
        LoadGenerator.Failures failures = new LoadGenerator.Failures();
        for (int port : new int[] {51234, 51235, 40001}) {
            failures.add("Post \"https://127.0.0.1:8443/validate\": read tcp 127.0.0.1:" + port
                    + "->127.0.0.1:8443: read: connection reset by peer");
        }
        failures.add("HTTP 503");
        failures.add("HTTP 503");
        failures.add("HTTP 503");
        failures.add("HTTP 503");
        failures.add("Post \"https://[::1]:8443/validate\": EOF");

        assertEquals(8, failures.total());
        assertEquals(
                Map.of(
                        "HTTP 503", 4L,
                        "Post \"https://ADDRESS/validate\": read tcp ADDRESS->ADDRESS: read: connection reset by peer",
                                3L,
                        "Post \"https://ADDRESS/validate\": EOF", 1L),
                failures.counts());
        LoadGenerator.Result result = new LoadGenerator.Result(
                "tailor", "open loop", 1500, 1490, 30000, 8, 1, 2, 3, 4, new TreeMap<>(failures.counts()));
        assertEquals(
                "4 × HTTP 503; 3 × Post \"https://ADDRESS/validate\": read tcp ADDRESS->ADDRESS: read: connection"
                        + " reset by peer; 1 × Post \"https://ADDRESS/validate\": EOF",
                result.failureSummary());
    }

    @Test
    void aLongErrorIsCut() {
        assertEquals(163, LoadGenerator.Failures.describe("x".repeat(500)).length());
    }
}
