package dev.tailor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.Sighting;
import dev.tailor.store.StoredObservations;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observations {@code tailor propose}'s commands share: read once, so impact windows the data generate saw even
 * while the store goes on filling.
 */
class WindowOptionsTest {

    @TempDir
    Path dir;

    private static void record(String url, String name) throws Exception {
        try (ObservationStore store = ObservationStore.open(url)) {
            ApiAccess get = new ApiAccess(
                    "system:serviceaccount:shop:api", "get", "", "configmaps", "", "shop", name, "", false);
            store.ingestAccesses(List.of(Sighting.of(name, Instant.parse("2026-11-30T10:00:00Z"), get)));
        }
    }

    private WindowOptions window(String url, String since) {
        WindowOptions window = new WindowOptions();
        window.store = url;
        window.since = since;
        return window;
    }

    @Test
    void commandsRunTogetherReadTheObservationsOnce() throws Exception {
        String url = ObservationStore.embeddedUrl(dir.resolve("store"));
        record(url, "settings");
        WindowOptions generate = window(url, "7d");
        WindowOptions impact = window(url, "7d");
        try (WindowOptions.Shared shared = new WindowOptions.Shared()) {
            generate.shared = shared;
            impact.shared = shared;
            try (StoredObservations read = generate.open()) {
                assertEquals(1, read.apiAccesses().size());
            }
            record(url, "flags"); // the webhook goes on writing between the two commands
            try (StoredObservations read = impact.open()) {
                assertEquals(1, read.apiAccesses().size(), "what generate read, not the store as it is now");
            }
            WindowOptions longer = window(url, "30d");
            longer.shared = shared;
            assertThrows(IllegalStateException.class, longer::open, "another window cannot share the read");
        }
        try (StoredObservations read = window(url, "7d").open()) {
            assertEquals(2, read.apiAccesses().size(), "a command of its own reads the store as it is");
        }
    }
}
