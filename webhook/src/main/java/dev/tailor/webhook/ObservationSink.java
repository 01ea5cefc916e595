package dev.tailor.webhook;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.identity.PodRecord;
import dev.tailor.store.ObservationStore;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The observation store as the webhook uses it: audit batches are stored synchronously by the ingest endpoint
 * (acknowledged only once stored), while the admission stream — decisions and pod sightings — is queued and
 * written once a second in the background, so no admission request waits for a database. The queue is bounded
 * ({@value #CAPACITY}); when the store is down that long, the oldest entries are dropped and counted (the
 * decision log file keeps every decision regardless). Once {@value #FLUSH_AT} entries wait, they are written at once
 * rather than at the next second: at 3,000 reviews/s (6,000 entries a second, more than a second's 5,000) the queue
 * grew until it dropped entries, and entries held a second or more outlived the young collections and filled the old
 * generation (3–4 full collections in 40 s, the heap grown to its limit). An entry the store refuses as data (a value
 * it cannot hold)
 * is dropped alone and counted, never blocking the others. Metrics: {@code tailor_admission_stream_queued} (entries
 * waiting), {@code tailor_admission_stream_dropped_total} and {@code tailor_admission_stream_rejected_total}, so an
 * alert can say that the store is falling behind before anything is lost.
 */
@ApplicationScoped
public class ObservationSink {

    private static final Logger LOG = Logger.getLogger(ObservationSink.class);
    static final int CAPACITY = 20_000;
    static final int FLUSH_AT = 512;

    private final TailorConfig config;
    private final BlockingQueue<Object> pending = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final io.micrometer.core.instrument.Counter droppedTotal;
    private final io.micrometer.core.instrument.Counter rejectedTotal;
    private final io.micrometer.core.instrument.MeterRegistry registry;
    private final io.micrometer.core.instrument.Gauge queuedGauge;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tailor-observation-writer");
        t.setDaemon(true);
        return t;
    });
    private ObservationStore store;
    /** The store's pods once it is open (taken again at each flush): asked without waiting on the admission path. */
    private volatile dev.tailor.identity.Pods pods;
    /** A flush asked by {@link #flushIfMany} is queued on the writer; no second one is asked meanwhile. */
    private final java.util.concurrent.atomic.AtomicBoolean flushAsked =
            new java.util.concurrent.atomic.AtomicBoolean();
    /** The last flush failed: the store is down, and only the writer's second-by-second retry tries it again. */
    private volatile boolean failing;

    @jakarta.inject.Inject
    public ObservationSink(TailorConfig config, io.micrometer.core.instrument.MeterRegistry registry) {
        this(config, registry, java.time.Duration.ofSeconds(1));
    }

    /** With the writer's own flush every {@code tick} (a second in the webhook). */
    ObservationSink(
            TailorConfig config, io.micrometer.core.instrument.MeterRegistry registry, java.time.Duration tick) {
        this.config = config;
        this.registry = registry;
        this.queuedGauge = io.micrometer.core.instrument.Gauge.builder(
                        "tailor.admission.stream.queued", pending, BlockingQueue::size)
                .description("Admission-stream entries (decisions, pod sightings) waiting to be stored")
                .register(registry);
        this.droppedTotal = io.micrometer.core.instrument.Counter.builder("tailor.admission.stream.dropped")
                .description("Admission-stream entries dropped because the store was unavailable and the queue full")
                .register(registry);
        this.rejectedTotal = io.micrometer.core.instrument.Counter.builder("tailor.admission.stream.rejected")
                .description(
                        "Admission-stream entries the store refused as data (a value it cannot hold), dropped alone")
                .register(registry);
        writer.scheduleWithFixedDelay(this::flushQuietly, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
        long compactEvery = tick.toMillis() * COMPACT_EVERY_TICKS;
        writer.scheduleWithFixedDelay(this::compactQuietly, compactEvery, compactEvery, TimeUnit.MILLISECONDS);
        this.fileGauge = io.micrometer.core.instrument.Gauge.builder(
                        "tailor.store.file", this, sink -> sink.diskBytes(true))
                .description("Bytes of the embedded store's file (its volume must hold them); -1 for PostgreSQL")
                .baseUnit("bytes")
                .register(registry);
        this.liveGauge = io.micrometer.core.instrument.Gauge.builder(
                        "tailor.store.live", this, sink -> sink.diskBytes(false))
                .description("Bytes of the embedded store's file that hold data; -1 for PostgreSQL")
                .baseUnit("bytes")
                .register(registry);
    }

    /** How often the writer compacts an embedded store ({@link ObservationStore#compact}): every ten seconds. */
    static final long COMPACT_EVERY_TICKS = 10;

    /** The embedded store's file and live bytes as the last compaction found them (null: not known, or PostgreSQL). */
    private volatile ObservationStore.DiskUse disk;

    /** The file's bytes, or its live ones; -1 while not known. */
    private double diskBytes(boolean file) {
        ObservationStore.DiskUse use = disk;
        return use == null ? -1 : file ? use.fileBytes() : use.liveBytes();
    }

    private final io.micrometer.core.instrument.Gauge fileGauge;
    private final io.micrometer.core.instrument.Gauge liveGauge;

    /**
     * Compacts an open embedded store, so that its file stays near what it holds: written a commit a second, it grew
     * to five times that and beyond (H2's own maintenance does not run with the writes the store needs).
     */
    private void compactQuietly() {
        ObservationStore open = opened();
        if (open == null) {
            return;
        }
        try {
            open.compact();
            disk = open.diskUse().orElse(null);
        } catch (SQLException | RuntimeException e) {
            LOG.debugf(
                    "the store could not be compacted (tried again in %d ticks): %s",
                    COMPACT_EVERY_TICKS, e.getMessage());
        }
    }

    /** The store if it is open, else null (never opens it). */
    private synchronized ObservationStore opened() {
        return store;
    }

    /** The store's pods, taken again (the refusals other replicas stored are read again every second). */
    private void refreshPods() throws SQLException {
        ObservationStore open = opened();
        if (open != null) {
            this.pods = open.pods();
        }
    }

    /** The store, opened (and migrated) on first use. */
    public synchronized ObservationStore store() throws SQLException {
        if (store == null) {
            String url =
                    config.store().url().orElse(ObservationStore.embeddedUrl(java.nio.file.Path.of("/var/lib/tailor")));
            store = ObservationStore.open(closedByUs(url));
            LOG.infof("observation store open: %s", ObservationStore.redact(url));
        }
        return store;
    }

    /**
     * An embedded H2 database is closed by the webhook, after the last flush: H2's own JVM shutdown hook would close it
     * on SIGTERM while that flush still runs ("Database is already closed"), losing the last second of decisions.
     */
    static String closedByUs(String url) {
        return url.startsWith("jdbc:h2:")
                        && !url.toUpperCase(java.util.Locale.ROOT).contains(";DB_CLOSE_ON_EXIT=")
                ? url + ";DB_CLOSE_ON_EXIT=FALSE"
                : url;
    }

    public void decisions(List<AdmissionDecision> decisions) {
        decisions.forEach(this::offer);
        flushIfMany();
    }

    public void pod(PodRecord pod) {
        dev.tailor.identity.Pods known = pods;
        if (known != null && pod.created()) {
            known.decided(pod); // its creation's verdict on its owner at once, for its requests of the next moment
        }
        offer(pod);
        flushIfMany();
    }

    /**
     * Whether the pod's latest creation vouched for none of Kubernetes' controllers' owners, as this replica knows it
     * now: its own creations at once, other replicas' as the store reads them again (every second). False until the
     * store is open.
     */
    public boolean ownerRefused(String namespace, String pod) {
        dev.tailor.identity.Pods known = pods;
        return known != null && known.refused(namespace, pod);
    }

    private void flushIfMany() {
        if (pending.size() >= FLUSH_AT && !failing && flushAsked.compareAndSet(false, true)) {
            try {
                writer.execute(() -> {
                    flushAsked.set(false);
                    flushQuietly();
                });
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                flushAsked.set(false); // close() flushes what is left
            }
        }
    }

    private void offer(Object o) {
        while (!pending.offer(o)) {
            if (pending.poll() != null) {
                dropped.incrementAndGet();
                droppedTotal.increment();
            }
        }
    }

    /** Writes what is queued; what fails stays for the next try. */
    public void flush() throws SQLException {
        List<Object> batch = new ArrayList<>();
        pending.drainTo(batch, 5000);
        if (batch.isEmpty()) {
            refreshPods();
            return;
        }
        List<PodRecord> pods = new ArrayList<>();
        List<AdmissionDecision> decisions = new ArrayList<>();
        for (Object o : batch) {
            // What the store cannot hold (a value longer than its column: dev.tailor.store.Columns) is dropped here,
            // alone, counted and named in the log; it never reaches, nor fails, a batch.
            String problem = o instanceof PodRecord p
                    ? dev.tailor.store.Columns.problem(p)
                    : dev.tailor.store.Columns.problem((AdmissionDecision) o);
            if (problem != null) {
                rejectedTotal.increment();
                LOG.warnf(
                        "an admission-stream entry the store cannot hold was dropped (%s): %s",
                        o instanceof PodRecord p
                                ? "pod " + abbreviated(p.namespace()) + "/" + abbreviated(p.pod())
                                : "decision " + abbreviated(((AdmissionDecision) o).uid()),
                        problem);
            } else if (o instanceof PodRecord p) {
                pods.add(p);
            } else {
                decisions.add((AdmissionDecision) o);
            }
        }
        try {
            ObservationStore s = store();
            if (!pods.isEmpty()) {
                s.ingestPods(pods);
            }
            if (!decisions.isEmpty()) {
                s.ingestDecisions(decisions);
            }
            refreshPods();
        } catch (SQLException e) {
            if (!isBadData(e)) {
                // The store is unavailable: back into the queue (the store counts each one once, so a half-written
                // pair is harmless on retry).
                batch.forEach(this::offer);
                throw e;
            }
            // One entry the store cannot hold (a value longer than its column, say) must not cost the others, nor
            // block every later flush: each is tried alone, and what the store refuses as data is dropped, counted.
            oneByOne(batch);
        } catch (RuntimeException e) {
            batch.forEach(this::offer);
            throw e;
        }
    }

    private void oneByOne(List<Object> batch) throws SQLException {
        for (int i = 0; i < batch.size(); i++) {
            Object o = batch.get(i);
            try {
                if (o instanceof PodRecord p) {
                    store().ingestPods(List.of(p));
                } else {
                    store().ingestDecisions(List.of((AdmissionDecision) o));
                }
            } catch (SQLException e) {
                if (!isBadData(e)) {
                    batch.subList(i, batch.size()).forEach(this::offer);
                    throw e;
                }
                rejectedTotal.increment();
                LOG.warnf(
                        "an admission-stream entry the store cannot hold was dropped (%s): %s",
                        o instanceof PodRecord p
                                ? "pod " + p.namespace() + "/" + p.pod()
                                : "decision " + ((AdmissionDecision) o).uid(),
                        abbreviated(e.getMessage()));
            }
        }
    }

    /** A database's message quotes the value it refused, which may be 100 KB: the first 200 characters are enough. */
    private static String abbreviated(String message) {
        return message == null || message.length() <= 200 ? message : message.substring(0, 200) + "…";
    }

    /** SQLSTATE class 22 (data exception: a value too long, out of range, malformed), on the exception or its chain. */
    static boolean isBadData(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if (s.getSQLState() != null && s.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return e.getCause() instanceof SQLException cause && cause != e && isBadData(cause);
    }

    private void flushQuietly() {
        try {
            flush();
            failing = false;
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                LOG.warnf("%d admission-stream entries were dropped while the store was unavailable", lost);
            }
        } catch (SQLException | RuntimeException e) {
            failing = true;
            LOG.warnf("the admission stream could not be stored (retrying): %s", e.getMessage());
        }
    }

    void close(@Observes ShutdownEvent event) throws SQLException {
        registry.remove(queuedGauge); // a registry that outlives this bean would keep reading this one's queue
        registry.remove(fileGauge);
        registry.remove(liveGauge);
        writer.shutdown();
        try {
            // A flush under way finishes first: the last one must not run beside it on the same connection.
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("the admission stream's writer did not finish within 5 s; flushing beside it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
        } finally {
            synchronized (this) {
                if (store != null) {
                    store.close();
                }
            }
        }
    }
}
