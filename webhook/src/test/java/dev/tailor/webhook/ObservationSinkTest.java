package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.store.ObservationStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admission stream's queue is written once {@value ObservationSink#FLUSH_AT} entries wait, not only at the
 * writer's tick: a busy webhook's entries held a second outlived its young collections and filled the old generation,
 * and beyond 5,000 a tick the queue grew until it dropped entries.
 */
class ObservationSinkTest {

    @TempDir
    Path dir;

    /** The configuration the sink reads: only the store's URL. */
    private static TailorConfig config(String url) {
        TailorConfig.Store store = (TailorConfig.Store) Proxy.newProxyInstance(
                TailorConfig.class.getClassLoader(),
                new Class<?>[] {TailorConfig.Store.class},
                (proxy, method, args) -> method.getName().equals("url") ? Optional.of(url) : null);
        return (TailorConfig) Proxy.newProxyInstance(
                TailorConfig.class.getClassLoader(),
                new Class<?>[] {TailorConfig.class},
                (proxy, method, args) -> method.getName().equals("store") ? store : null);
    }

    private static List<AdmissionDecision> decisions(Instant at, int from, int count) {
        return IntStream.range(from, from + count)
                .mapToObj(i -> new AdmissionDecision(
                        at,
                        "uid-" + i,
                        "shop",
                        "pod.p" + i,
                        "alice",
                        "CREATE",
                        "Pod",
                        "p" + i,
                        "audit",
                        "runAsNonRoot",
                        "warned",
                        "runAsNonRoot: the container may run as root"))
                .toList();
    }

    private static int stored(String url, Instant at) throws Exception {
        try (ObservationStore store = ObservationStore.open(url)) {
            return store.decisions(at, at.plusSeconds(1)).size();
        }
    }

    @Test
    void manyWaitingEntriesAreWrittenWithoutWaitingForTheTick() throws Exception {
        String url = ObservationStore.embeddedUrl(dir.resolve("store"));
        Instant at = Instant.parse("2026-12-04T12:00:00Z");
        ObservationSink sink = new ObservationSink(config(url), new SimpleMeterRegistry(), Duration.ofHours(1));
        try {
            sink.decisions(decisions(at, 0, ObservationSink.FLUSH_AT - 1));
            Thread.sleep(300);
            assertEquals(0, stored(url, at), "fewer wait: they are written at the tick (an hour here)");
            sink.decisions(decisions(at, ObservationSink.FLUSH_AT - 1, 1));
            List<Integer> seen = new ArrayList<>();
            for (int i = 0; i < 100 && (seen.isEmpty() || seen.get(seen.size() - 1) < ObservationSink.FLUSH_AT); i++) {
                Thread.sleep(100);
                seen.add(stored(url, at));
            }
            assertEquals(ObservationSink.FLUSH_AT, seen.get(seen.size() - 1), "written at once: " + seen);
        } finally {
            sink.close(null);
        }
    }

    /** A creation of {@code shop/name} claiming a Deployment's ReplicaSet, its claim believed or not. */
    private static dev.tailor.identity.PodRecord created(String name, boolean ownerRefused) {
        return new dev.tailor.identity.PodRecord(
                "uid-" + name + "-" + ownerRefused,
                Instant.parse("2026-12-04T12:00:00Z"),
                "shop",
                name,
                new dev.tailor.identity.Workload("shop", "Deployment", "api"),
                "default",
                java.util.Map.of("app", "api"),
                true,
                List.of("app"),
                List.of(),
                List.of(),
                ownerRefused);
    }

    /**
     * Whether a pod's creation vouched for no controller's owner is answered at once, without waiting for the store:
     * the admission path records the pod's next requests by it. Another replica's creations arrive as the store reads
     * them again.
     */
    @Test
    void aPodsCreationVerdictOnItsOwnerIsAnsweredAtOnceAndAnotherReplicasAfterAFlush() throws Exception {
        String url = ObservationStore.embeddedUrl(dir.resolve("store"));
        ObservationSink sink = new ObservationSink(config(url), new SimpleMeterRegistry(), Duration.ofHours(1));
        try {
            sink.pod(created("api-7d4b9c-x2x8z", true));
            org.junit.jupiter.api.Assertions.assertFalse(
                    sink.ownerRefused("shop", "api-7d4b9c-x2x8z"), "the store not open yet: nothing known");
            sink.flush(); // opens the store
            sink.pod(created("api-7d4b9c-a1b2c", true));
            org.junit.jupiter.api.Assertions.assertTrue(sink.ownerRefused("shop", "api-7d4b9c-a1b2c"));
            org.junit.jupiter.api.Assertions.assertTrue(sink.ownerRefused("shop", "api-7d4b9c-x2x8z"));
            sink.pod(created("api-7d4b9c-a1b2c", false)); // the controller made a pod of that name again
            org.junit.jupiter.api.Assertions.assertFalse(sink.ownerRefused("shop", "api-7d4b9c-a1b2c"));

            try (ObservationStore replica = ObservationStore.open(url)) {
                replica.ingestPods(List.of(created("api-7d4b9c-zzzzz", true)));
            }
            org.junit.jupiter.api.Assertions.assertFalse(sink.ownerRefused("shop", "api-7d4b9c-zzzzz"));
            Thread.sleep(1100); // the store reads refusals again after a second
            sink.flush();
            org.junit.jupiter.api.Assertions.assertTrue(sink.ownerRefused("shop", "api-7d4b9c-zzzzz"));
        } finally {
            sink.close(null);
        }
    }

    /** The writer compacts an embedded store every ten ticks, and says how much of the volume its file takes. */
    @Test
    void theWriterCompactsTheStoreAndSaysWhatItsFileTakes() throws Exception {
        String url = ObservationStore.embeddedUrl(dir.resolve("store"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ObservationSink sink = new ObservationSink(config(url), registry, Duration.ofMillis(100));
        try {
            sink.decisions(decisions(Instant.parse("2026-12-04T12:00:00Z"), 0, 100));
            double file = -1;
            for (int i = 0; i < 50 && file <= 0; i++) {
                Thread.sleep(100);
                file = registry.get("tailor.store.file").gauge().value();
            }
            double live = registry.get("tailor.store.live").gauge().value();
            org.junit.jupiter.api.Assertions.assertTrue(file > 0 && live > 0 && live <= file, file + " " + live);
            assertEquals(
                    file,
                    (double) java.nio.file.Files.size(dir.resolve("store").resolve("observations.mv.db")),
                    file * 0.5,
                    "the file as the disk has it");
        } finally {
            sink.close(null);
        }
    }
}
