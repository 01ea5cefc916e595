package dev.tailor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreWriterTest {

    @Test
    void batchesAreStoredInTheOrderHandedOverAndAcknowledgedAfterwards() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        List<Long> acknowledged = Collections.synchronizedList(new ArrayList<>());
        try (StoreWriter writer = new StoreWriter(3, r -> acknowledged.add(r.added()))) {
            StoreWriter.Batch<Integer> numbers = writer.batch(b -> {
                log.add("n" + b);
                return new ObservationStore.BatchResult(b.size(), 0);
            });
            StoreWriter.Batch<String> words = writer.batch(b -> {
                log.add("w" + b);
                return new ObservationStore.BatchResult(b.size(), 0);
            });
            for (int i = 1; i <= 7; i++) {
                numbers.add(i);
            }
            words.add("a");
            writer.flush();
            assertEquals(List.of("n[1, 2, 3]", "n[4, 5, 6]", "n[7]", "w[a]"), log);
            assertEquals(List.of(3L, 3L, 1L, 1L), acknowledged);
        }
    }

    @Test
    void aFailedBatchStopsTheWriterAndTheReaderHearsOfIt() {
        List<Integer> stored = Collections.synchronizedList(new ArrayList<>());
        try (StoreWriter writer = new StoreWriter(2, r -> {})) {
            StoreWriter.Batch<Integer> batch = writer.batch(b -> {
                if (b.contains(3)) {
                    throw new SQLException("value too long for column verb");
                }
                stored.addAll(b);
                return new ObservationStore.BatchResult(b.size(), 0);
            });
            StoreWriter.StoreFailedException e = assertThrows(StoreWriter.StoreFailedException.class, () -> {
                for (int i = 1; i <= 100; i++) {
                    batch.add(i);
                }
                writer.flush();
            });
            assertTrue(
                    e.getMessage()
                            .startsWith("storing a batch of 2 events failed (nothing of it was kept; run again "
                                    + "to retry): value too long"),
                    e.getMessage());
            assertEquals(List.of(1, 2), stored, "nothing after the failed batch is stored");
        }
    }
}
