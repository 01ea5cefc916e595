package dev.tailor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.testing.RepositoryPaths;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tailor observe} killed with SIGKILL in the middle of an ingest: what was stored is whole (every stored
 * event is counted in the aggregates, no batch half there), and running it again completes the job without
 * counting anything twice.
 */
class KillDuringIngestIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 200_000;
    /** Events per batch: small enough that the big file is ten of them. */
    private static final int BATCH = 20_000;

    /** A big audit log made from audit2rbac's real events: new audit IDs, times over a week, 60 subjects. */
    static void writeLog(Path file, int events, long firstId) throws Exception {
        List<String> demo = Files.readAllLines(
                RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log"));
        Instant start = Instant.parse("2026-11-16T00:00:00Z");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < events; i++) {
                ObjectNode event = (ObjectNode) JSON.readTree(demo.get(i % demo.size()));
                event.put("auditID", String.format("00000000-0000-4000-8000-%012d", firstId + i));
                String time = start.plusSeconds(i * 4L).toString();
                event.put("stageTimestamp", time).put("timestamp", time);
                ((ObjectNode) event.get("impersonatedUser"))
                        .put("username", "system:serviceaccount:shop:sa-" + (i % 60));
                out.write(event.toString());
                out.write('\n');
            }
        }
    }

    private final TestStores stores = new TestStores();

    @org.junit.jupiter.api.AfterEach
    void dropSchemas() throws Exception {
        stores.dropAll();
    }

    private static Process observe(String storeUrl, Path... logs) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.tailor.cli.TailorCli",
                "observe",
                "--store",
                storeUrl,
                "--batch-events",
                Integer.toString(BATCH)));
        for (Path log : logs) {
            command.add("--audit-log");
            command.add(log.toString());
        }
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static long[] storeState(String storeUrl) throws Exception {
        try (ObservationStore store = ObservationStore.open(storeUrl)) {
            long counted = store.apiAccesses().values().stream()
                    .mapToLong(ObservationStore.StoredAccess::count)
                    .sum();
            return new long[] {store.ingestedEvents("audit"), counted};
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("dev.tailor.store.TestStores#allKinds")
    void sigkillMidIngestLeavesWholeBatchesAndARerunFinishes(String kind, @TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.log");
        Path big = dir.resolve("big.log");
        writeLog(small, 2_000, 1_000_000);
        writeLog(big, EVENTS, 0);
        String store = stores.url(kind, dir);

        Process first = observe(store, small, big);
        BufferedReader output =
                new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
        // Kill once three batches are stored — the small file's 2,000 events, then two of the big file's — while the
        // big file is still being read.
        int batches = 0;
        for (String line; batches < 3 && (line = output.readLine()) != null; ) {
            batches += line.startsWith("progress: ") ? 1 : 0;
        }
        assertTrue(first.isAlive(), "the ingest finished before it could be killed; make the input bigger");
        first.destroyForcibly(); // SIGKILL on Linux
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        long[] afterKill = storeState(store);
        System.out.printf(
                "killed mid-ingest: %d events stored, %d counted in the aggregates%n", afterKill[0], afterKill[1]);
        assertEquals(afterKill[0], afterKill[1], "every stored event is in the aggregates, and nothing else is");
        // A file's last batch is stored when the file ends: the small file is one batch of 2,000.
        assertEquals(0, (afterKill[0] - 2_000) % BATCH, "only whole batches are stored: " + afterKill[0]);
        assertTrue(
                afterKill[0] >= 2_000 + 2L * BATCH && afterKill[0] < 2_000 + EVENTS,
                "the kill should land mid-ingest, after three batches: " + afterKill[0]);

        Process second = observe(store, big);
        String rest = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, second.waitFor(), rest);
        long[] done = storeState(store);
        assertEquals(2_000 + EVENTS, done[0], rest);
        assertEquals(2_000 + EVENTS, done[1], rest);
        assertTrue(
                rest.contains((EVENTS - (afterKill[0] - 2_000)) + " new, " + (afterKill[0] - 2_000) + " already there"),
                rest);
    }
}
