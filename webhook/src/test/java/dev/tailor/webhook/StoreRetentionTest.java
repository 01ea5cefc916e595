package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded store held within {@code tailor.store.max-bytes}: the Deployment's emptyDir, filled, has the pod
 * evicted — a store that keeps 35 days of a busy cluster's decisions does not fit in it.
 */
class StoreRetentionTest {

    @TempDir
    Path dir;

    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    /** The configuration StoreRetention and the sink read: the store's. */
    private static TailorConfig config(String url, long maxBytes) {
        TailorConfig.Store store = (TailorConfig.Store) Proxy.newProxyInstance(
                TailorConfig.class.getClassLoader(),
                new Class<?>[] {TailorConfig.Store.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "url" -> Optional.of(url);
                    case "retention" -> Duration.ofDays(35);
                    case "pruneInterval" -> Duration.ofHours(6);
                    case "maxBytes" -> OptionalLong.of(maxBytes);
                    case "budgetCheckInterval" -> Duration.ofMinutes(1);
                    default -> null;
                });
        return (TailorConfig) Proxy.newProxyInstance(
                TailorConfig.class.getClassLoader(),
                new Class<?>[] {TailorConfig.class},
                (proxy, m, args) -> m.getName().equals("store") ? store : null);
    }

    /** {@code count} decisions spread evenly over the {@code span} before {@link #NOW}. */
    private static void decide(ObservationStore store, int count, Duration span) throws Exception {
        List<AdmissionDecision> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new AdmissionDecision(
                    NOW.minus(span).plus(span.multipliedBy(i).dividedBy(count)),
                    "uid-" + i,
                    "shop",
                    "deployment.api",
                    "system:serviceaccount:kube-system:replicaset-controller",
                    "CREATE",
                    "Pod",
                    "api-7d4b9c-" + i,
                    "audit",
                    "runAsNonRoot",
                    "warned",
                    "runAsNonRoot: the container may run as root"));
            if (batch.size() == 1000) {
                store.ingestDecisions(batch);
                batch.clear();
            }
        }
        store.ingestDecisions(batch);
    }

    /**
     * Ten days of decisions in a store whose data is a quarter more than its budget: each check forgets the older half
     * of what it keeps — from its oldest observation, not its retention's start (35 days: three checks of nothing
     * before session 33) — until what it holds is within half of the budget: 5 days, then 2.5; the decisions after the
     * horizon all kept, none before it.
     */
    @Test
    void anEmbeddedStoreBeyondHalfItsBudgetForgetsTheOlderHalfOfWhatItKeeps() throws Exception {
        String url = ObservationStore.embeddedUrl(dir.resolve("store"));
        long live;
        ObservationSink probe =
                new ObservationSink(config(url, Long.MAX_VALUE), new SimpleMeterRegistry(), Duration.ofHours(1));
        try {
            decide(probe.store(), 20_000, Duration.ofDays(10));
            probe.store().compact();
            live = probe.store().diskUse().orElseThrow().liveBytes();
        } finally {
            probe.close(null);
        }
        long budget = live * 4 / 5;
        TailorConfig config = config(url, budget);
        ObservationSink sink = new ObservationSink(config, new SimpleMeterRegistry(), Duration.ofHours(1));
        try {
            StoreRetention retention = new StoreRetention(config, sink, null, new SimpleMeterRegistry());
            List<Instant> horizons = new ArrayList<>();
            for (ObservationStore.Pruned p; (p = retention.keepWithinBudget(NOW)) != null && horizons.size() < 10; ) {
                horizons.add(p.keptFrom());
            }
            assertEquals(List.of(NOW.minus(Duration.ofDays(5)), NOW.minus(Duration.ofHours(60))), horizons);
            ObservationStore store = sink.store();
            assertTrue(
                    store.diskUse().orElseThrow().liveBytes() * 2 <= budget,
                    store.diskUse().toString());
            Instant horizon = horizons.get(horizons.size() - 1);
            assertEquals(
                    0, store.decisions(NOW.minus(Duration.ofDays(11)), horizon).size());
            int after = store.decisions(horizon, NOW).size();
            assertEquals(20_000 * 2.5 / 10, after, 2, "every decision since the horizon kept");
        } finally {
            sink.close(null);
        }
    }

    /**
     * A store beyond its budget forgets the older half of its three hours, and then nothing more: less than an hour
     * would be left (an error says so).
     */
    @Test
    void aStoreKeepsAnHourHoweverFull() throws Exception {
        String url = ObservationStore.embeddedUrl(dir.resolve("store"));
        TailorConfig config = config(url, 1);
        ObservationSink sink = new ObservationSink(config, new SimpleMeterRegistry(), Duration.ofHours(1));
        try {
            decide(sink.store(), 3_000, Duration.ofHours(3));
            StoreRetention retention = new StoreRetention(config, sink, null, new SimpleMeterRegistry());
            List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.logging.Handler handler = new java.util.logging.Handler() {
                @Override
                public void publish(java.util.logging.LogRecord r) {
                    if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                        errors.add(r.getMessage());
                    }
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
            java.util.logging.Logger log = java.util.logging.Logger.getLogger(StoreRetention.class.getName());
            log.addHandler(handler);
            int prunes = 0;
            try {
                while (retention.keepWithinBudget(NOW) != null && prunes < 20) {
                    prunes++;
                }
                // Ten and twenty minutes on, still less than an hour would be left: said once, not at each check.
                assertNull(retention.keepWithinBudget(NOW));
                assertNull(retention.keepWithinBudget(NOW.plus(Duration.ofMinutes(10))));
                assertNull(retention.keepWithinBudget(NOW.plus(Duration.ofMinutes(20))));
            } finally {
                log.removeHandler(handler);
            }
            // Three hours halved once: 1.5 hours; once more would keep less than an hour.
            assertEquals(1, prunes);
            assertEquals(NOW.minus(Duration.ofMinutes(90)), sink.store().horizon());
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("give it more, or a PostgreSQL store"), errors.toString());
            assertEquals(
                    1_000,
                    sink.store().decisions(NOW.minus(Duration.ofHours(1)), NOW).size());
        } finally {
            sink.close(null);
        }
    }
}
