package dev.tailor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.audit.ApiRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link ObservationStoreTest}'s cases on the real PostgreSQL server (the integration tier's store), and what only a
 * shared server can show: replicas writing at the same moment.
 */
class ObservationStorePostgresIT extends ObservationStoreTest {

    @org.junit.jupiter.api.Test
    void replicasAddingTheSameNewAccessAtTheSameTimeBothSucceed() throws Exception {
        // Several webhook replicas share one PostgreSQL store (H2 is one process's store: its file is locked). Two
        // batches of different minutes — so they do not wait for each other's minute — bring the same new
        // accesses at the same moment, round after round.
        String url = url("postgresql");
        int rounds = 15;
        try (ObservationStore a = ObservationStore.open(url);
                ObservationStore b = ObservationStore.open(url)) {
            java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < rounds; round++) {
                    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                    List<java.util.concurrent.Future<ObservationStore.BatchResult>> results = new ArrayList<>();
                    for (int side = 0; side < 2; side++) {
                        ObservationStore store = side == 0 ? a : b;
                        List<ApiRequest> batch = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            batch.add(new ApiRequest(
                                    "r" + round + "-s" + side + "-" + i,
                                    Instant.parse("2026-11-16T00:00:00Z").plusSeconds(3600L * round + 120L * side),
                                    "system:serviceaccount:shop:sa-" + round,
                                    List.of(),
                                    "",
                                    "get",
                                    "",
                                    "v1",
                                    "configmaps",
                                    "",
                                    "shop",
                                    "settings-" + (i % 5),
                                    "",
                                    200));
                        }
                        results.add(two.submit(() -> {
                            together.await();
                            return TestStores.ingestAudit(store, batch);
                        }));
                    }
                    for (var r : results) {
                        assertEquals(new ObservationStore.BatchResult(20, 0), r.get());
                    }
                }
            } finally {
                two.shutdownNow();
            }
            Map<ApiAccess, ObservationStore.StoredAccess> stored = a.apiAccesses();
            assertEquals(rounds * 5, stored.size());
            assertTrue(
                    stored.values().stream()
                            .allMatch(s -> s.count() == 8
                                    && s.days().values().stream()
                                                    .mapToLong(Long::longValue)
                                                    .sum()
                                            == 8),
                    stored.toString());
        }
    }
}
