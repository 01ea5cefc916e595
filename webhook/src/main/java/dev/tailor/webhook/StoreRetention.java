package dev.tailor.webhook;

import dev.tailor.store.ObservationStore;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.ObserverMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps the store to its retention ({@code tailor.store.retention}): every {@code tailor.store.prune-interval} the
 * store forgets what was observed before then ({@link ObservationStore#prune}). Without it a webhook's store grew
 * for as long as the webhook ran — every event's fingerprint, every day row, every decision — and so did the pod
 * directory each replica reads from it at its start and keeps in memory (a CI runner's pods, a CronJob's, one entry
 * each, for ever).
 *
 * <p>A pod's identity is forgotten only once the pod no longer exists: the pods are listed (all namespaces, a page at
 * a time) before each prune, and a pod the API server still has keeps its identity however long ago it was seen — a
 * Deployment's pod running for months is still its workload's, and a pod an editor made to look like it stays its
 * own workload. When the pods cannot be listed, no pod is forgotten and the rest is pruned. Each replica prunes on its
 * own schedule; pruning twice forgets nothing more.
 *
 * <p>Metrics: {@code tailor_store_pruned_total{table}} (rows forgotten; events, for {@code ingested_block}),
 * {@code tailor_store_prune_failures_total} (an alert that the store is no longer kept to its retention) and
 * {@code tailor_store_kept_from_seconds} (the horizon, seconds since 1970; 0 before the first prune).
 */
@ApplicationScoped
public class StoreRetention {

    private static final Logger LOG = Logger.getLogger(StoreRetention.class);
    /** The first prune after a start comes after the interval, or after this when the interval is longer. */
    static final Duration FIRST_PRUNE_AFTER = Duration.ofMinutes(10);
    /** Pods per page of the list: a page is decoded whole. */
    private static final long PAGE = 250;

    private final TailorConfig config;
    private final ObservationSink sink;
    private final KubernetesClient client;
    private final io.micrometer.core.instrument.MeterRegistry registry;
    private final io.micrometer.core.instrument.Counter failures;
    private final io.micrometer.core.instrument.Gauge keptFromGauge;
    private volatile Instant keptFrom = Instant.EPOCH;
    private ScheduledExecutorService schedule;

    @jakarta.inject.Inject
    public StoreRetention(
            TailorConfig config,
            ObservationSink sink,
            KubernetesClient client,
            io.micrometer.core.instrument.MeterRegistry registry) {
        this.config = config;
        this.sink = sink;
        this.client = client;
        this.registry = registry;
        this.failures = io.micrometer.core.instrument.Counter.builder("tailor.store.prune.failures")
                .description("Prunes of the store that failed (it is not kept to its retention until one succeeds)")
                .register(registry);
        this.keptFromGauge = io.micrometer.core.instrument.Gauge.builder(
                        "tailor.store.kept.from", this, r -> r.keptFrom.getEpochSecond())
                .description("What the store keeps begins here (seconds since 1970; 0 before the first prune)")
                .baseUnit("seconds")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        Duration retention = config.store().retention();
        Duration interval = config.store().pruneInterval();
        Duration budgetCheck = config.store().budgetCheckInterval();
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("tailor.store.prune-interval must be positive, got " + interval);
        }
        if (budgetCheck.isZero() || budgetCheck.isNegative()) {
            throw new IllegalArgumentException(
                    "tailor.store.budget-check-interval must be positive, got " + budgetCheck);
        }
        schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tailor-store-retention");
            t.setDaemon(true);
            return t;
        });
        if (retention.isZero() || retention.isNegative()) {
            LOG.info("the store keeps every observation (tailor.store.retention=0)");
        } else {
            long first = Math.min(interval.toMillis(), FIRST_PRUNE_AFTER.toMillis());
            schedule.scheduleWithFixedDelay(this::pruneQuietly, first, interval.toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("the store keeps %s of observations, pruned every %s", said(retention), said(interval));
        }
        config.store().maxBytes().ifPresent(budget -> {
            schedule.scheduleWithFixedDelay(
                    this::keepWithinBudgetQuietly,
                    budgetCheck.toMillis(),
                    budgetCheck.toMillis(),
                    TimeUnit.MILLISECONDS);
            LOG.infof(
                    "an embedded store is kept within %s (tailor.store.max-bytes), checked every %s",
                    mib(budget), said(budgetCheck));
        });
    }

    /** Bytes as the log says them: {@code 1.5 MiB}. */
    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** What the store holds, as a share of its budget, beyond which it forgets the older half of what it keeps. */
    static final int LIVE_PERCENT_OF_BUDGET = 50;

    /** What the store keeps however full it is: less would leave proposals nothing to stand on. */
    static final Duration KEPT_AT_LEAST = Duration.ofHours(1);

    /** The span a store that keeps everything (retention 0) is taken to hold, when its budget first halves it. */
    private static final Duration EVERYTHING = Duration.ofDays(365);

    /** How often a store that cannot come within its budget says so (an error at each check was one a minute). */
    static final Duration SAID_AGAIN_AFTER = Duration.ofHours(1);

    /** When the store was last said to be beyond its budget with an hour kept; null while it is within. */
    private volatile Instant saidFull;

    private void keepWithinBudgetQuietly() {
        try {
            keepWithinBudget(Instant.now());
        } catch (Exception e) {
            failures.increment();
            LOG.warnf("the store could not be kept within tailor.store.max-bytes: %s", e.getMessage());
        }
    }

    /**
     * Holds an embedded store within {@code tailor.store.max-bytes}: when the data it holds passes {@value
     * #LIVE_PERCENT_OF_BUDGET} % of it (its file runs ahead of the data between compactions), the older half of what
     * it keeps is forgotten — a prune to the middle of the span from its oldest observation (its horizon or its
     * retention's start, when later) to now —
     * and again at the next check while it is still beyond; never to less than {@link #KEPT_AT_LEAST} (said as an
     * error instead). Null when nothing was forgotten: PostgreSQL, a store within its budget.
     */
    ObservationStore.Pruned keepWithinBudget(Instant now) throws java.sql.SQLException {
        long budget = config.store().maxBytes().orElse(Long.MAX_VALUE);
        var use = sink.store().diskUse();
        if (use.isEmpty() || use.get().liveBytes() * 100 <= budget * LIVE_PERCENT_OF_BUDGET) {
            saidFull = null;
            return null;
        }
        Duration retention = config.store().retention();
        Instant start = now.minus(retention.isZero() || retention.isNegative() ? EVERYTHING : retention);
        Instant horizon = sink.store().horizon(); // moved by this replica's prunes, another's, or an earlier run's
        Instant from = horizon.isAfter(start) ? horizon : start;
        // What it keeps begins with its oldest observation, however much its retention would allow.
        Instant earliest = sink.store().earliest().orElse(from);
        from = earliest.isAfter(from) && earliest.isBefore(now) ? earliest : from;
        Instant middle = from.plus(Duration.between(from, now).dividedBy(2));
        if (Duration.between(middle, now).compareTo(KEPT_AT_LEAST) < 0) {
            if (saidFull == null || !now.isBefore(saidFull.plus(SAID_AGAIN_AFTER))) {
                saidFull = now;
                LOG.errorf(
                        "the store holds %s, beyond half of tailor.store.max-bytes (%s), though it keeps only what"
                                + " was observed since %s: give it more, or a PostgreSQL store (said again hourly"
                                + " while it lasts)",
                        mib(use.get().liveBytes()), mib(budget), from);
            }
            return null;
        }
        LOG.warnf(
                "the store holds %s, beyond half of tailor.store.max-bytes (%s): it now keeps what was"
                        + " observed since %s, not all of its retention (%s)",
                mib(use.get().liveBytes()), mib(budget), middle, retention.isZero() ? "everything" : said(retention));
        return pruneTo(middle);
    }

    /** A duration as the settings take it: {@code 35d}, {@code 6h}, {@code 90m}, {@code 30s}. */
    static String said(Duration d) {
        long s = d.toSeconds();
        return s % 86_400 == 0
                ? s / 86_400 + "d"
                : s % 3_600 == 0 ? s / 3_600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    /**
     * Before the sink closes the store: a prune under way may finish its table (5 s at most). Not interrupted: an
     * interrupt in the middle of H2's file I/O closes the file under the sink's last flush.
     */
    void stop(@Observes @Priority(ObserverMethod.DEFAULT_PRIORITY - 100) ShutdownEvent event) {
        registry.remove(keptFromGauge); // a registry that outlives this bean would keep reading this one
        if (schedule != null) {
            schedule.shutdown();
            try {
                schedule.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void pruneQuietly() {
        try {
            prune(Instant.now());
        } catch (Exception e) {
            failures.increment();
            LOG.warnf(
                    "the store could not be pruned (next try in %s): %s",
                    said(config.store().pruneInterval()), e.getMessage());
        }
    }

    /** Forgets what was observed before {@code now} less the retention. */
    ObservationStore.Pruned prune(Instant now) throws java.sql.SQLException {
        return pruneTo(now.minus(config.store().retention()));
    }

    /** Forgets what was observed before {@code keptFrom}, but the identities of pods that still exist. */
    private synchronized ObservationStore.Pruned pruneTo(Instant keptFrom) throws java.sql.SQLException {
        Set<String> existing = existingPods();
        ObservationStore.Pruned pruned = sink.store().prune(keptFrom, existing);
        this.keptFrom = pruned.keptFrom();
        pruned.removed()
                .forEach((table, n) -> io.micrometer.core.instrument.Counter.builder("tailor.store.pruned")
                        .tag("table", table)
                        .description("Rows the store forgot as older than its retention (events, for ingested_block)")
                        .register(registry)
                        .increment(n));
        long removed =
                pruned.removed().values().stream().mapToLong(Long::longValue).sum();
        if (removed > 0) {
            StringBuilder what = new StringBuilder();
            for (Map.Entry<String, Long> e : pruned.removed().entrySet()) {
                if (e.getValue() > 0) {
                    what.append(what.length() == 0 ? "" : ", ")
                            .append(e.getKey())
                            .append(' ')
                            .append(e.getValue());
                }
            }
            LOG.infof("store pruned to what was observed since %s: %s", pruned.keptFrom(), what);
        }
        return pruned;
    }

    /** The pods the API server has, as {@code namespace/name}; null when they cannot be listed (said in the log). */
    private Set<String> existingPods() {
        Set<String> names = new HashSet<>();
        String next = null;
        try {
            do {
                PodList page = client.pods()
                        .inAnyNamespace()
                        .list(new ListOptionsBuilder()
                                .withLimit(PAGE)
                                .withContinue(next)
                                .build());
                for (Pod p : page.getItems()) {
                    names.add(p.getMetadata().getNamespace() + "/"
                            + p.getMetadata().getName());
                }
                next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
            } while (next != null && !next.isEmpty());
            return names;
        } catch (RuntimeException e) {
            LOG.warnf(
                    "pods cannot be listed (%s): the store keeps every pod's identity this time, and forgets the rest",
                    e.getMessage());
            return null;
        }
    }
}
