package dev.tailor.webhook.decisions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tailor.contract.AdmissionDecision;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision log stays within its bound, loses no line it accepted, and survives a reopen. */
class JsonLinesDecisionLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static AdmissionDecision record(int n) {
        return new AdmissionDecision(
                Instant.parse("2026-11-26T10:00:00Z").plusSeconds(n),
                "uid-" + n,
                "shop",
                "deployment.api",
                "alice",
                "CREATE",
                "Deployment",
                "api",
                "audit",
                "hostNamespaces",
                "warned",
                "hostNamespaces: host namespaces (hostNetwork=true)");
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @Test
    void eachLineIsWhatJacksonWritesOfTheRecord(@TempDir Path dir) throws Exception {
        // The decision log's contract is the record's JSON as Jackson writes it (the impact preview reads it back
        // so): the log's own writer must write the same bytes, whatever the fields hold.
        ObjectMapper jackson = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        List<AdmissionDecision> records = List.of(
                record(0),
                new AdmissionDecision(
                        Instant.parse("2026-11-26T10:00:00.123456789Z"),
                        "uid-\"quoted\"",
                        "shop",
                        null,
                        "system:serviceaccount:shop:deployer",
                        "UPDATE",
                        "Pod",
                        "caf\u00e9-\u00fcber-\ud83d\ude80",
                        "enforce",
                        "",
                        "allowed",
                        "line\nbreak\ttab\u0001 and a backslash \\ </script>"),
                new AdmissionDecision(null, null, null, null, null, null, null, null, null, null, null, null));
        Path file = dir.resolve("decisions.jsonl");
        try (JsonLinesDecisionLog log = new JsonLinesDecisionLog(file, 1 << 20, 1)) {
            log.record(records);
        }
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        for (AdmissionDecision r : records) {
            expected.write(jackson.writeValueAsBytes(r)); // UTF-8, as the log is written
            expected.write('\n');
        }
        assertEquals(expected.toString(StandardCharsets.UTF_8), Files.readString(file));
    }

    @Test
    void rotatesAtTheBoundAndKeepsOnlyTheConfiguredFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("decisions.jsonl");
        try (JsonLinesDecisionLog log = new JsonLinesDecisionLog(file, 4096, 2)) {
            for (int i = 0; i < 200; i++) {
                log.record(List.of(record(i)));
            }
        }
        assertTrue(Files.exists(dir.resolve("decisions.jsonl.1")));
        assertTrue(Files.exists(dir.resolve("decisions.jsonl.2")));
        assertFalse(Files.exists(dir.resolve("decisions.jsonl.3")), "only maxFiles rotated files are kept");
        for (Path p : List.of(file, dir.resolve("decisions.jsonl.1"), dir.resolve("decisions.jsonl.2"))) {
            assertTrue(Files.size(p) <= 4096, p + " is " + Files.size(p) + " bytes");
        }
        // The newest lines are in the current file, the last of them the last decision, whole.
        List<JsonNode> current = lines(file);
        assertEquals("uid-199", current.get(current.size() - 1).path("uid").asText());
        assertEquals("warned", current.get(0).path("verdict").asText());
        assertEquals(
                "2026-11-26T10:03:19Z",
                current.get(current.size() - 1).path("time").asText());
    }

    @Test
    void aRotatedFileIsForcedAndClosedByTheNextSyncNotByTheWriteThatRotated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("decisions.jsonl");
        try (JsonLinesDecisionLog log = new JsonLinesDecisionLog(file, 4096, 2)) {
            long open = openFiles(dir);
            int written = 0;
            while (!Files.exists(dir.resolve("decisions.jsonl.1"))) {
                log.record(List.of(record(written++)));
            }
            // Recording runs on the event loops: the rotated file waits, open, for the sync thread to force it.
            assertEquals(open + 1, openFiles(dir), "the rotated file is still open");
            log.sync();
            assertEquals(open, openFiles(dir), "the sync forced and closed it");
            log.record(List.of(record(written++)));
            log.sync();
            assertEquals(
                    written,
                    lines(dir.resolve("decisions.jsonl.1")).size() + lines(file).size());
        }
    }

    /**
     * File descriptors this process has open on files in {@code dir} (Linux): only the log's own, whatever other
     * threads of the test JVM open and close meanwhile (counting all of them made the test fail now and then).
     */
    private static long openFiles(Path dir) throws Exception {
        Path real = dir.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).startsWith(real);
                        } catch (java.io.IOException gone) {
                            return false; // closed since it was listed
                        }
                    })
                    .count();
        }
    }

    @Test
    void writersAtOnceLoseNoLineAndSplitNone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("decisions.jsonl");
        int threads = 4;
        int each = 500;
        // Bound and file count large enough that nothing is dropped, small enough that writers race rotations.
        try (JsonLinesDecisionLog log = new JsonLinesDecisionLog(file, 64 * 1024, 100)) {
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * each;
                Thread w = new Thread(() -> {
                    for (int i = first; i < first + each; i++) {
                        log.record(List.of(record(i)));
                    }
                });
                w.start();
                writers.add(w);
            }
            for (Thread w : writers) {
                w.join();
            }
        }
        java.util.Set<String> uids = new java.util.HashSet<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                assertTrue(Files.size(p) <= 64 * 1024, p + " is " + Files.size(p) + " bytes");
                lines(p).forEach(n -> uids.add(n.path("uid").asText()));
            }
        }
        assertEquals(threads * each, uids.size(), "every decision recorded, each as a whole line");
    }

    @Test
    void reopeningAppendsToWhatIsThere(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("decisions.jsonl");
        try (JsonLinesDecisionLog log = new JsonLinesDecisionLog(file, 1 << 20, 2)) {
            log.record(List.of(record(1), record(2)));
        }
        try (JsonLinesDecisionLog log = new JsonLinesDecisionLog(file, 1 << 20, 2)) {
            log.record(List.of(record(3)));
            log.sync();
        }
        assertEquals(
                List.of("uid-1", "uid-2", "uid-3"),
                lines(file).stream().map(n -> n.path("uid").asText()).toList());
    }

    @Test
    void aTinyBoundIsRefused(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> new JsonLinesDecisionLog(dir.resolve("d.jsonl"), 10, 1));
    }
}
