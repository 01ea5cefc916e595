package dev.tailor.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tailor.fixtures.ObservedWeek;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.TestStores;
import dev.tailor.testing.GoldenFiles;
import dev.tailor.testing.RepositoryPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Online Boutique week observed into the real PostgreSQL server generates the committed tree, byte for byte. */
class PolicyGeneratorPostgresIT {

    private static final TestStores STORES = new TestStores();

    @AfterAll
    static void drop() throws Exception {
        STORES.dropAll();
    }

    @Test
    void theWeekFromPostgresGeneratesTheCommittedTree(@TempDir Path tmp) throws Exception {
        String url = STORES.url("postgresql", tmp);
        ObservedWeek.observe(ObservedWeek.write(tmp), url);
        Map<String, String> files;
        try (ObservationStore store = ObservationStore.open(url)) {
            files = new PolicyGenerator(PolicyGenerator.Options.defaults())
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files();
        }
        assertEquals(
                List.of(), GoldenFiles.differences(RepositoryPaths.fixtures().resolve("boutique-policies"), files));
    }
}
