package dev.tailor.store;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Pods;
import dev.tailor.observe.admission.AllowedRequests;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallUse;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Where observations are kept: aggregates per API access, per connection and per syscall, never raw events. An
 * embedded H2 file by default — no set-up — or PostgreSQL for several webhook replicas; the same SQL runs on both
 * (H2 in its PostgreSQL mode), and Flyway migrates the schema on open when it is behind.
 *
 * <p>Each batch is one transaction: a crash or kill in the middle of an ingest leaves the store as it was before
 * the batch, and a batch that returned is on disk. Ingesting the same events again changes nothing: audit events
 * are keyed by their {@code auditID}.
 */
public final class ObservationStore implements StoredObservations {

    private final Connection connection;
    private final boolean postgres;
    private Pods pods;
    private final SeenEvents seen = new SeenEvents();

    /**
     * What a batch came to: events added, events stored before, events refused alone ({@link Columns}), and events
     * older than the store keeps ({@link #prune}), not stored.
     */
    public record BatchResult(long added, long alreadyStored, long rejected, long expired) {
        public BatchResult(long added, long alreadyStored, long rejected) {
            this(added, alreadyStored, rejected, 0);
        }

        public BatchResult(long added, long alreadyStored) {
            this(added, alreadyStored, 0);
        }

        /** Both batches' counts together (a body stored in parts). */
        public BatchResult plus(BatchResult other) {
            return new BatchResult(
                    added + other.added,
                    alreadyStored + other.alreadyStored,
                    rejected + other.rejected,
                    expired + other.expired);
        }
    }

    /** How an access or a connection was seen, as stored. */
    public record StoredAccess(Instant firstSeen, Instant lastSeen, long count, Map<LocalDate, Long> days) {

        /** The last sighting in the tables: where a window that ends "at the last observation" ends (EPOCH: none). */
        public static Instant latest(List<? extends Map<?, StoredAccess>> tables) {
            Instant last = Instant.EPOCH;
            for (Map<?, StoredAccess> table : tables) {
                for (StoredAccess seen : table.values()) {
                    last = seen.lastSeen().isAfter(last) ? seen.lastSeen() : last;
                }
            }
            return last;
        }
    }

    private ObservationStore(Connection connection, boolean postgres) throws SQLException {
        this.connection = connection;
        this.postgres = postgres;
        this.keptFrom = keptFrom();
    }

    /**
     * The store's horizon ({@link #prune}): nothing observed before it is kept, and an event older than it is not
     * stored. Each writer reads it when it opens the store and moves it when it prunes.
     */
    private Instant keptFrom;

    /** The store's horizon as this writer knows it: nothing observed before it is kept (1970: never pruned). */
    public synchronized Instant horizon() {
        return keptFrom;
    }

    /**
     * The start of the oldest day of observations the store keeps (aggregates count by UTC day), or of its oldest
     * decision line if earlier; empty when it keeps none. Each day table is scanned: for a budget's check, not a path
     * taken often.
     */
    public synchronized java.util.Optional<Instant> earliest() throws SQLException {
        Instant first = null;
        try (Statement s = connection.createStatement()) {
            List<String> queries = new ArrayList<>();
            for (AggregateTable<?> table : List.of(
                    AggregateTable.API_ACCESS,
                    AggregateTable.NETWORK_FLOW,
                    AggregateTable.SYSCALL_USE,
                    AggregateTable.POD_IDENTITY,
                    AggregateTable.ADMISSION_ALLOWED)) {
                queries.add("SELECT CAST(MIN(seen_on) AS VARCHAR(10)) FROM " + table.dayTable());
            }
            queries.add("SELECT MIN(decided_at) FROM admission_decision");
            for (String query : queries) {
                try (ResultSet rs = s.executeQuery(query)) {
                    if (!rs.next() || rs.getObject(1) == null) {
                        continue;
                    }
                    Instant t = query.contains("seen_on")
                            ? LocalDate.parse(rs.getString(1))
                                    .atStartOfDay(ZoneOffset.UTC)
                                    .toInstant()
                            : rs.getTimestamp(1).toInstant();
                    first = first == null || t.isBefore(first) ? t : first;
                }
            }
        }
        connection.commit();
        return java.util.Optional.ofNullable(first);
    }

    private Instant keptFrom() throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT MAX(kept_from) FROM store_horizon")) {
            Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
            connection.commit();
            return t == null ? Instant.EPOCH : t.toInstant();
        }
    }

    /** The embedded default: an H2 database file {@code observations.mv.db} in {@code dir}. */
    public static String embeddedUrl(Path dir) {
        return withH2Settings("jdbc:h2:file:" + dir.toAbsolutePath().resolve("observations"));
    }

    /**
     * What the store needs of H2, in the order they are added to a URL that lacks them: PostgreSQL's SQL (the store's
     * statements are PostgreSQL's: {@code ON CONFLICT}), lower-case names and NULLs ordered last as PostgreSQL has
     * them, and each commit written at once (H2 otherwise writes committed changes up to a second later: a kill would
     * lose them).
     */
    private static final List<Map.Entry<String, String>> H2_SETTINGS = List.of(
            Map.entry("MODE", "PostgreSQL"),
            Map.entry("DATABASE_TO_LOWER", "TRUE"),
            Map.entry("DEFAULT_NULL_ORDERING", "HIGH"),
            Map.entry("WRITE_DELAY", "0"));

    /**
     * What the store prefers of H2, added to a URL that sets none of its own: pages of 16 KiB instead of 4. H2 writes
     * a changed page whole and reads a page whole; on a month of 1,002 workloads, observe took 12.1–12.2 s instead of
     * 13.8–13.9, generate 2.1–2.3 s instead of 2.9–3.4 and impact 3.0–3.2 s instead of 3.5–3.9 (64 KiB: no faster
     * to write, slower to read). A store written with other pages is read as it is.
     */
    private static final List<Map.Entry<String, String>> H2_DEFAULTS = List.of(Map.entry("PAGE_SIZE", "16384"));

    /**
     * The page cache H2 keeps, in KiB, for a heap of {@code maxMemory} bytes: a sixteenth of it, between 1 MiB and
     * H2's own 16 MiB. A command's heap (hundreds of MiB) keeps H2's 16 MiB; the webhook's 77 MiB keeps 4.8 — its 16
     * MiB filled up reading a month's store for a snapshot: three under 1,000 reviews/s had the heap collected whole
     * 74 times, answers queued up to 193 ms (with 4.8 MiB, 10 times and 101 ms). The week's observe took as long with
     * 4 MiB as with 16 (5.1 s).
     */
    static long cacheKilobytes(long maxMemory) {
        return Math.max(1024, Math.min(16 * 1024, maxMemory / 16 / 1024));
    }

    /**
     * An H2 URL with the settings the store needs added where it has none of its own ({@code jdbc:h2:file:/data/obs}
     * works as given); a setting given otherwise is refused, with what it must be.
     */
    static String withH2Settings(String url) {
        StringBuilder result = new StringBuilder(url);
        for (Map.Entry<String, String> setting : H2_SETTINGS) {
            String given = given(url, setting.getKey());
            if (given == null) {
                result.append(';').append(setting.getKey()).append('=').append(setting.getValue());
            } else if (!given.equalsIgnoreCase(setting.getValue())) {
                throw new IllegalArgumentException("the store needs " + setting.getKey() + "=" + setting.getValue()
                        + " in an H2 URL, got " + setting.getKey() + "=" + given + " in " + redact(url));
            }
        }
        for (Map.Entry<String, String> setting : H2_DEFAULTS) {
            if (given(url, setting.getKey()) == null) {
                result.append(';').append(setting.getKey()).append('=').append(setting.getValue());
            }
        }
        return result.toString();
    }

    /** The value an H2 URL gives a setting (names in any case), or null. */
    private static String given(String url, String setting) {
        java.util.regex.Matcher given = java.util.regex.Pattern.compile(
                        ";" + setting + "=([^;]*)", java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(url);
        return given.find() ? given.group(1) : null;
    }

    /**
     * Opens (and migrates) the store at a JDBC URL: {@code jdbc:h2:file:…} or
     * {@code jdbc:postgresql://host:5432/db?user=…&password=…}; a new one is made.
     */
    public static ObservationStore open(String url) throws SQLException {
        return open(url, false);
    }

    /**
     * Opens a store that exists already, for the commands that only read one ({@code tailor generate}, {@code impact},
     * {@code enforce}): a mistyped {@code --store}, or a directory where {@code tailor observe} never ran, is a
     * {@link NoStoreException} saying so — not an empty store made on the spot and a report on nothing.
     */
    public static ObservationStore openExisting(String url) throws SQLException {
        return open(url, true);
    }

    /** There is no store at the URL given (nothing there, or nothing of Tailor's). */
    public static final class NoStoreException extends SQLException {
        private static final long serialVersionUID = 1L;

        NoStoreException(String message) {
            super(message);
        }
    }

    /** H2's error when {@code IFEXISTS=TRUE} and the database is not there. */
    private static final int H2_DATABASE_NOT_FOUND = 90146;

    private static ObservationStore open(String url, boolean existing) throws SQLException {
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("store URL must be jdbc:h2:… or jdbc:postgresql:…, got " + redact(url));
        }
        if (url.startsWith("jdbc:h2:")) {
            url = withH2Settings(url);
            if (existing && !url.toUpperCase(java.util.Locale.ROOT).contains(";IFEXISTS=")) {
                url += ";IFEXISTS=TRUE"; // opening a missing file fails instead of making an empty store
            }
        }
        String noStore = "there is no store there (tailor observe makes one; --store names another)";
        // The store's own connection first: an embedded H2 database stays open while it is, so Flyway's connections
        // join it instead of opening and closing the file once more (a tenth of a second).
        Connection connection;
        try {
            connection = connect(url);
        } catch (SQLException e) {
            if (e.getErrorCode() == H2_DATABASE_NOT_FOUND) {
                throw new NoStoreException(noStore);
            }
            throw e;
        }
        ObservationStore store;
        try {
            if (!StoreSchema.schemaCurrent(connection)) {
                if (existing && !StoreSchema.hasHistory(connection)) {
                    throw new NoStoreException(noStore + ": the database holds no schema of Tailor's");
                }
                String newer = StoreSchema.newerVersion(connection);
                if (newer != null) {
                    throw new NewerStoreException("the store's schema is at version " + newer + ", newer than this "
                            + "Tailor's (" + StoreSchema.SCHEMA_VERSIONS.get(StoreSchema.SCHEMA_VERSIONS.size() - 1)
                            + "): a newer Tailor wrote it; "
                            + "use that one, or another store");
                }
                Path file = StoreSchema.h2File(url);
                if (file != null && StoreSchema.onlySession(connection)) {
                    connection.close();
                    StoreSchema.migrateBeside(url, file);
                    connection = connect(url);
                } else {
                    // PostgreSQL runs each migration in a transaction: one a kill stops is rolled back, and the next
                    // open resumes.
                    StoreSchema.migrations(url).load().migrate();
                }
            }
            if (url.startsWith("jdbc:h2:") && given(url, "CACHE_SIZE") == null) {
                // Set on the open store, not in its URL: given there, H2 reused none of the space compact() freed
                // (the compaction test's file stayed twice its data). H2 keeps it in the file: set at every open, a
                // store the webhook wrote is read by a command with the command's cache.
                try (Statement s = connection.createStatement()) {
                    s.execute("SET CACHE_SIZE "
                            + cacheKilobytes(Runtime.getRuntime().maxMemory()));
                }
            }
            connection.setAutoCommit(false);
            store = new ObservationStore(connection, url.startsWith("jdbc:postgresql:"));
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return store;
    }

    /** A store written by a newer Tailor (its schema has migrations this one does not know). */
    public static final class NewerStoreException extends SQLException {
        private static final long serialVersionUID = 1L;

        NewerStoreException(String message) {
            super(message);
        }
    }

    /**
     * The pods seen admitted so far (stored ones and those of this session's batches), by which flows and syscall
     * records are attributed to workloads.
     */
    public synchronized Pods pods() throws SQLException {
        if (pods == null) {
            // Read on first use: attributing flows and syscalls needs them, reading the store for a proposal does
            // not (a large cluster's 4,000 pods cost generate and impact a tenth of a second each).
            Pods stored = new Pods();
            stored.refusals(refusalsWrittenSince(null));
            refusalsRead = System.nanoTime();
            // In the order they were last seen: a pod name seen as more than one workload (a StatefulSet's pod's
            // name, once a made-up pod's) is the workload of its latest sighting.
            read(AggregateTable.POD_IDENTITY).entrySet().stream()
                    .sorted(Map.Entry.comparingByValue(Comparator.comparing(StoredAccess::lastSeen)))
                    .forEach(e -> stored.add(e.getKey().toRecord()));
            pods = stored;
        } else if (System.nanoTime() - refusalsRead > REFUSALS_REREAD_NANOS) {
            // What another writer (a webhook replica) stored since: pods whose creation it saw vouch for no
            // controller's owner, so that this one does not take Hubble's word (the owner claimed) for their flows,
            // and names created again by their controller.
            pods.refusals(refusalsWrittenSince(refusalsWritten));
            refusalsRead = System.nanoTime();
        }
        return pods;
    }

    /** How often {@link #pods} reads again the pods whose owner claims were not believed. */
    private static final long REFUSALS_REREAD_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    /**
     * How far before the latest write read {@link #pods} reads again: a transaction that began earlier (its rows
     * stamped then) may commit after that write was read.
     */
    private static final java.time.Duration REFUSALS_OVERLAP = java.time.Duration.ofSeconds(30);

    private long refusalsRead;
    /** The latest {@code pod_owner_refused.written} read, null before any. */
    private Timestamp refusalsWritten;

    /**
     * The pod names' latest creations written since {@code since} (less {@link #REFUSALS_OVERLAP}; all when null), as
     * {@code namespace/pod} → whether it vouched for no controller's owner: a few rows each second however many pods
     * were ever refused (a flood of made-up pods grows the table, not this read).
     */
    private Map<String, Boolean> refusalsWrittenSince(Timestamp since) throws SQLException {
        Map<String, Boolean> out = new java.util.HashMap<>();
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT namespace, pod, refused, written FROM pod_owner_refused WHERE written > ?")) {
            s.setTimestamp(
                    1,
                    since == null
                            ? new Timestamp(0)
                            : Timestamp.from(since.toInstant().minus(REFUSALS_OVERLAP)));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "/" + rs.getString(2), rs.getBoolean(3));
                    Timestamp written = rs.getTimestamp(4);
                    if (refusalsWritten == null || written.after(refusalsWritten)) {
                        refusalsWritten = written;
                    }
                }
            }
        }
        connection.commit();
        return out;
    }

    /**
     * The pods whose latest creation seen vouched for none of Kubernetes' controllers' owners ({@code OwnerClaims}), as
     * {@code namespace/pod}.
     */
    private java.util.Set<String> refusedPods() throws SQLException {
        return joinedRows("SELECT namespace, pod FROM pod_owner_refused WHERE refused");
    }

    /** The URL without a password, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /**
     * Stores a batch of audit requests as the accesses they count toward ({@code IngestPipeline}), in one
     * transaction; requests already stored (same audit ID, {@link Sighting#of}) are skipped.
     */
    public synchronized BatchResult ingestAccesses(List<Sighting<ApiAccess>> batch) throws SQLException {
        return ingest("audit", batch, AggregateTable.API_ACCESS);
    }

    /**
     * Stores a batch of flows as their edges ({@link NetworkEdge#of}), in one transaction; flows already stored
     * (same fingerprint) are skipped.
     */
    public synchronized BatchResult ingestEdges(List<Sighting<NetworkEdge>> batch) throws SQLException {
        return ingest("flow", batch, AggregateTable.NETWORK_FLOW);
    }

    /**
     * Stores a batch of syscall records as their uses ({@link SyscallUse#of}), in one transaction; records already
     * stored (same key) are skipped.
     */
    public synchronized BatchResult ingestSyscallUses(List<Sighting<SyscallUse>> batch) throws SQLException {
        return ingest("syscall", batch, AggregateTable.SYSCALL_USE);
    }

    /**
     * Stores a batch of pod sightings from the admission stream, in one transaction (sightings already stored —
     * same admission request UID — are skipped), and attributes later flows and syscall records by them.
     */
    public synchronized BatchResult ingestPods(List<PodRecord> sightings) throws SQLException {
        Pods known = pods(); // the stored ones, before this batch is
        // A pod whose creation's owner was not believed is its own workload in every sighting, stored as such; a
        // sighting older than the store keeps is not stored (nor is its creation).
        List<PodRecord> batch = sightings.stream()
                .filter(p -> !p.time().isBefore(keptFrom))
                .map(known::decided)
                .toList();
        long expired = sightings.size() - batch.size();
        // Whether a pod's creation was seen is a fact about the pod, and which of a workload's containers are its
        // template's, init or ephemeral containers one about its pod template, not sightings: set, never counted (so
        // setting them again when the same input is read twice changes nothing). Each in one order, so that two
        // replicas writing the same rows never lock them in a circle. In the sightings' transaction: a kill between
        // the two would keep a made-up pod's sighting without its creation's refusal.
        java.util.SortedSet<List<String>> pods = new java.util.TreeSet<>(BY_PARTS);
        java.util.SortedSet<List<String>> regulars = new java.util.TreeSet<>(BY_PARTS);
        java.util.SortedSet<List<String>> inits = new java.util.TreeSet<>(BY_PARTS);
        java.util.SortedSet<List<String>> ephemerals = new java.util.TreeSet<>(BY_PARTS);
        for (PodRecord p : batch) {
            if (p.created() && !p.pod().isEmpty()) {
                pods.add(List.of(p.namespace(), p.pod()));
            }
            containers(p, p.containers(), regulars);
            containers(p, p.initContainers(), inits);
            containers(p, p.ephemeralContainers(), ephemerals);
        }
        BatchResult result = ingest(
                "pod",
                batch.stream()
                        .map(p -> Sighting.of(p.key(), p.time(), PodIdentity.of(p)))
                        .toList(),
                AggregateTable.POD_IDENTITY,
                () -> {
                    try (PreparedStatement created = connection.prepareStatement("UPDATE pod_identity SET"
                            + " created_seen = TRUE WHERE namespace = ? AND pod = ? AND NOT created_seen")) {
                        for (List<String> p : pods) {
                            created.setString(1, p.get(0));
                            created.setString(2, p.get(1));
                            created.addBatch();
                        }
                        created.executeBatch();
                    }
                    creations(batch);
                    insertContainers("workload_container", regulars);
                    insertContainers("init_container", inits);
                    insertContainers("ephemeral_container", ephemerals);
                });
        batch.forEach(known::add);
        return new BatchResult(result.added(), result.alreadyStored(), result.rejected(), result.expired() + expired);
    }

    /**
     * Each pod name's latest creation, where one vouched for none of Kubernetes' controllers' owners: such a creation
     * is written (and replaces an earlier one), a creation by the controller replaces an earlier one written. Two
     * replicas writing the same name's creations keep the later one, in whichever order they write.
     */
    private void creations(List<PodRecord> batch) throws SQLException {
        List<PodRecord> creations = batch.stream()
                .filter(p -> p.created() && !p.pod().isEmpty())
                .sorted(Comparator.comparing(PodRecord::namespace).thenComparing(PodRecord::pod))
                .toList();
        if (creations.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO pod_owner_refused (namespace, pod, created, refused, written)"
                                + " VALUES (?, ?, ?, TRUE, CURRENT_TIMESTAMP) ON CONFLICT DO NOTHING");
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE pod_owner_refused SET created = ?,"
                                + " refused = ?, written = CURRENT_TIMESTAMP WHERE namespace = ? AND pod = ? AND created < ?")) {
            for (PodRecord p : creations) {
                Timestamp at = Timestamp.from(p.time());
                if (p.ownerRefused()) {
                    insert.setString(1, p.namespace());
                    insert.setString(2, p.pod());
                    insert.setTimestamp(3, at);
                    insert.addBatch();
                }
                update.setTimestamp(1, at);
                update.setBoolean(2, p.ownerRefused());
                update.setString(3, p.namespace());
                update.setString(4, p.pod());
                update.setTimestamp(5, at);
                update.addBatch();
            }
            insert.executeBatch();
            update.executeBatch();
        }
    }

    /** A pod's containers of one list, as rows {@code namespace, workload, container} (those that fit the columns). */
    private static void containers(PodRecord p, List<String> names, java.util.SortedSet<List<String>> rows) {
        String workload = p.workload().key();
        for (String c : names) {
            if (p.namespace().length() <= Columns.NAME
                    && workload.length() <= 512 // the tables' workload column (migrations V10 to V12)
                    && c.length() <= Columns.NAME) {
                rows.add(List.of(p.namespace(), workload, c));
            }
        }
    }

    private void insertContainers(String table, java.util.SortedSet<List<String>> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + table + " (namespace, workload, container) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (List<String> c : rows) {
                insert.setString(1, c.get(0));
                insert.setString(2, c.get(1));
                insert.setString(3, c.get(2));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Rows' key parts in order, part by part. */
    private static final Comparator<List<String>> BY_PARTS = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    /** The source under which the UIDs of the requests allowed with no check are marked as counted. */
    static final String ALLOWED_SOURCE = "allowed";

    /**
     * Stores decision-log lines, in one transaction. A request allowed with no check against it is counted ({@link
     * #allowedRequests}, once per UID); a line that names a check is stored as it is, once (same request UID and
     * check: skipped).
     */
    public synchronized BatchResult ingestDecisions(List<AdmissionDecision> batch) throws SQLException {
        List<Sighting<AllowedRequests>> allowed = new ArrayList<>();
        List<AdmissionDecision> lines = new ArrayList<>();
        long rejected = 0;
        for (AdmissionDecision d : batch) {
            if (Columns.problem(d) != null) {
                rejected++;
            } else if (AllowedRequests.counted(d)) {
                allowed.add(Sighting.of(d.uid(), d.time(), AllowedRequests.of(d)));
            } else {
                lines.add(d);
            }
        }
        long[] added = {0};
        List<AdmissionDecision> kept =
                lines.stream().filter(d -> !d.time().isBefore(keptFrom)).toList();
        BatchResult counted = ingest(ALLOWED_SOURCE, allowed, AggregateTable.ADMISSION_ALLOWED, () -> {
            added[0] = insertDecisions(kept);
        });
        long expired = lines.size() - kept.size();
        return counted.plus(new BatchResult(added[0], kept.size() - added[0], rejected, expired));
    }

    /** Inserts decision-log lines that name a check (the caller commits); how many were not stored before. */
    private long insertDecisions(List<AdmissionDecision> lines) throws SQLException {
        if (lines.isEmpty()) {
            return 0;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO admission_decision (uid, check_id,"
                + " decided_at, namespace, workload, username, operation, kind, name, mode, verdict, message)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (AdmissionDecision d : lines) {
                AggregateTable.bind(
                        insert,
                        1,
                        List.of(
                                d.uid(),
                                nonNull(d.check()),
                                Timestamp.from(d.time()),
                                nonNull(d.namespace()),
                                nonNull(d.workload()),
                                nonNull(d.user()),
                                nonNull(d.operation()),
                                nonNull(d.kind()),
                                nonNull(d.name()),
                                nonNull(d.mode()),
                                nonNull(d.verdict()),
                                truncate(nonNull(d.message()), 4096)));
                insert.addBatch();
            }
            long added = 0;
            for (int n : insert.executeBatch()) {
                added += n == 1 ? 1 : 0;
            }
            return added;
        }
    }

    /**
     * How many requests of each namespace (of {@code namespace} alone, unless null) were allowed with no check against
     * them on the UTC days from {@code from}'s to the one before {@code until} (exclusive), as {@link
     * dev.tailor.observe.admission.EnforcePreview#allowedByNamespace} counts them: summed by the database, not read
     * row by row.
     */
    public Map<String, Long> allowedRequests(Instant from, Instant until, String namespace) throws SQLException {
        return query(
                "SELECT a.namespace, SUM(d.seen_count) FROM admission_allowed a JOIN admission_allowed_day d"
                        + " ON d.allowed_id = a.id WHERE d.seen_on >= ? AND d.seen_on <= ?"
                        + (namespace == null ? "" : " AND a.namespace = ?") + " GROUP BY a.namespace",
                s -> {
                    s.setObject(1, LocalDate.ofInstant(from, ZoneOffset.UTC));
                    s.setObject(2, LocalDate.ofInstant(until.minusNanos(1), ZoneOffset.UTC));
                    if (namespace != null) {
                        s.setString(3, namespace);
                    }
                    Map<String, Long> out = new java.util.TreeMap<>();
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                    return out;
                });
    }

    /**
     * The heap a preview's tally takes at most in the webhook ({@link dev.tailor.observe.admission.EnforcePreview.Tally},
     * as it counts it) before the database counts the namespace's window instead: some 20,000 one-off workloads' (a
     * bare pod's rejections are counted under it alone). Its requests take only their last while's UIDs
     * ({@link dev.tailor.observe.admission.EnforcePreview.Requests}).
     */
    public static final long PREVIEW_TALLY_HEAP = 12L << 20;

    /**
     * Per namespace, the enforce preview of the window: a namespace at a time, tallied from its lines a page at a
     * time while what that keeps stays within a quarter of the heap (at least {@link #PREVIEW_TALLY_HEAP}: the CLI's;
     * the webhook passes what its request memory lends), else counted by the database ({@link StoredEnforcePreviews},
     * slower — it sorts them on its disk — but never more in the heap than a page and the preview). Either way the
     * store's writers go on between pages and queries.
     */
    @Override
    public Map<String, dev.tailor.observe.admission.EnforcePreview> enforcePreviews(Instant from, Instant until)
            throws SQLException {
        return enforcePreviews(from, until, null);
    }

    /** {@link #enforcePreviews(Instant, Instant)}, of one namespace (all, when null). */
    public Map<String, dev.tailor.observe.admission.EnforcePreview> enforcePreviews(
            Instant from, Instant until, String namespace) throws SQLException {
        return enforcePreviews(
                from,
                until,
                namespace,
                Math.max(PREVIEW_TALLY_HEAP, Runtime.getRuntime().maxMemory() / 4));
    }

    /**
     * {@link #enforcePreviews(Instant, Instant, String)}, tallied in at most {@code tallyHeap} bytes of heap (0:
     * counted by the database from the start).
     */
    public Map<String, dev.tailor.observe.admission.EnforcePreview> enforcePreviews(
            Instant from, Instant until, String namespace, long tallyHeap) throws SQLException {
        Map<String, Long> allowed = allowedRequests(from, until, namespace);
        Map<String, dev.tailor.observe.admission.EnforcePreview> out = new java.util.TreeMap<>();
        // A namespace at a time: one of many one-off workloads rejected has the database count it, the others are
        // tallied.
        for (String ns :
                namespace != null ? List.of(namespace) : decisionNamespaces(upToMicros(from), upToMicros(until))) {
            if (ns.isEmpty()) {
                continue; // a line of no namespace is previewed in none
            }
            Map<String, Long> its = allowed.containsKey(ns) ? Map.of(ns, allowed.get(ns)) : Map.of();
            var tally = new dev.tailor.observe.admission.EnforcePreview.Tally(tallyHeap);
            try {
                forEachDecision(from, until, ns, tally::ownObject);
                forEachDecision(from, until, ns, tally::add);
                out.putAll(tally.previews(its));
            } catch (dev.tailor.observe.admission.EnforcePreview.Tally.Full tooMany) {
                out.putAll(new StoredEnforcePreviews(upToMicros(from), upToMicros(until), ns, postgres)
                        .read(this::query, its));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // a tally writes nowhere
            }
        }
        // The namespaces whose requests were all allowed with no check against them.
        allowed.forEach((ns, n) -> {
            if (!out.containsKey(ns)) {
                out.putAll(new dev.tailor.observe.admission.EnforcePreview.Tally().previews(Map.of(ns, n)));
            }
        });
        return out;
    }

    /**
     * Runs one query with the store to itself, and ends its transaction. On H2 lazily: rows read in an index's order
     * are handed over as they are read, not first copied whole into a temporary file.
     */
    private synchronized <T> T query(String sql, StoredEnforcePreviews.Reader<T> reader) throws SQLException {
        lazily(true);
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            T out = reader.read(s);
            connection.commit();
            return out;
        } finally {
            lazily(false);
        }
    }

    /** When the latest decision stored was made (a line's, or an allowed request's); empty when none is. */
    public synchronized java.util.Optional<Instant> lastDecision() throws SQLException {
        Instant last = null;
        try (Statement s = connection.createStatement()) {
            for (String query : List.of(
                    "SELECT MAX(decided_at) FROM admission_decision", "SELECT MAX(last_seen) FROM admission_allowed")) {
                try (ResultSet rs = s.executeQuery(query)) {
                    Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                    if (t != null && (last == null || t.toInstant().isAfter(last))) {
                        last = t.toInstant();
                    }
                }
            }
        }
        connection.commit();
        return java.util.Optional.ofNullable(last);
    }

    /**
     * The requests allowed with no check against them, counted by namespace, workload, kind, operation and mode, by
     * day: what the enforce preview counts its requests from, beside {@link #decisions}.
     */
    public synchronized Map<AllowedRequests, StoredAccess> allowedRequests() throws SQLException {
        return read(AggregateTable.ADMISSION_ALLOWED);
    }

    /**
     * The stored decision-log lines that name a check, between two instants (inclusive, exclusive), in time order: the
     * requests allowed with none are counted instead ({@link #allowedRequests}).
     */
    public synchronized List<AdmissionDecision> decisions(Instant from, Instant until) throws SQLException {
        List<AdmissionDecision> out = new ArrayList<>();
        try (PreparedStatement s =
                connection.prepareStatement(DECISION_COLUMNS + " WHERE decided_at >= ? AND decided_at < ?")) {
            // The store keeps microseconds: an instant between two is the next one (PostgreSQL would round "until
            // the last decision and a nanosecond" back to the last decision, and leave it out).
            s.setTimestamp(1, Timestamp.from(upToMicros(from)));
            s.setTimestamp(2, Timestamp.from(upToMicros(until)));
            readDecisions(s, out);
        }
        connection.commit();
        out.sort(DECISION_ORDER); // in Java, not the database: one instant's lines in Java's order, whatever its
        // collation
        return out;
    }

    /** Lines {@link #forEachDecision} reads at a time: the heap of a page, the store held only while one is read. */
    static final int DECISION_PAGE = 2_000;

    /**
     * Hands the lines that name a check to {@code each} a page at a time, a namespace after another and each in time
     * order: a window's lines are never all in the heap, and the store's writers go on between pages (the observation
     * snapshot writes each to its client). A page is read where the index (namespace, time) has it, and ends where the
     * next one begins: a window's pages cost its lines once (pages sorted by time across namespaces cost the database
     * a sort of the rest of the window each, which on 800,000 lines took longer than a quarter of an hour).
     */
    @Override
    public void forEachDecision(Instant from, Instant until, EachDecision each) throws SQLException, IOException {
        forEachDecision(from, until, null, each);
    }

    /** {@link #forEachDecision(Instant, Instant, EachDecision)}, of one namespace (all, when null). */
    public void forEachDecision(Instant from, Instant until, String only, EachDecision each)
            throws SQLException, IOException {
        Instant start = upToMicros(from);
        Instant end = upToMicros(until);
        for (String namespace : only != null ? List.of(only) : decisionNamespaces(start, end)) {
            Instant after = null;
            for (boolean more = true; more; ) {
                List<AdmissionDecision> page = new ArrayList<>();
                more = decisionPage(start, end, namespace, after, page);
                for (AdmissionDecision d : page) {
                    each.accept(d);
                }
                after = page.isEmpty() ? after : page.get(page.size() - 1).time();
            }
        }
    }

    /** The namespaces of the window's lines, in order. */
    private synchronized List<String> decisionNamespaces(Instant from, Instant until) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT DISTINCT namespace FROM admission_decision"
                + " WHERE decided_at >= ? AND decided_at < ? ORDER BY namespace")) {
            s.setTimestamp(1, Timestamp.from(from));
            s.setTimestamp(2, Timestamp.from(until));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        connection.commit();
        return out;
    }

    /**
     * Adds to {@code page} the namespace's next lines of the window after the instant {@code after} (from the first,
     * when null) — about {@link #DECISION_PAGE}, and every line of its last instant — in (time, UID, check) order;
     * whether more may follow.
     */
    private synchronized boolean decisionPage(
            Instant from, Instant until, String namespace, Instant after, List<AdmissionDecision> page)
            throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(DECISION_COLUMNS
                + " WHERE namespace = ? AND decided_at >= ? AND decided_at < ?"
                + (after == null ? "" : " AND decided_at > ?")
                // The index's order: the database stops after the page's lines.
                + " ORDER BY namespace, decided_at LIMIT " + DECISION_PAGE)) {
            s.setString(1, namespace);
            s.setTimestamp(2, Timestamp.from(from));
            s.setTimestamp(3, Timestamp.from(until));
            if (after != null) {
                s.setTimestamp(4, Timestamp.from(after));
            }
            readDecisions(s, page);
        }
        boolean full = page.size() == DECISION_PAGE;
        if (full) {
            // The lines of the page's last instant may go on past it: all of them, read by that instant.
            Instant last = page.get(page.size() - 1).time();
            page.removeIf(d -> d.time().equals(last));
            try (PreparedStatement s =
                    connection.prepareStatement(DECISION_COLUMNS + " WHERE namespace = ? AND decided_at = ?")) {
                s.setString(1, namespace);
                s.setTimestamp(2, Timestamp.from(last));
                readDecisions(s, page);
            }
        }
        connection.commit();
        page.sort(DECISION_ORDER);
        return full;
    }

    /** A window's lines in time order, one instant's by UID and check. */
    static final Comparator<AdmissionDecision> DECISION_ORDER = Comparator.comparing(AdmissionDecision::time)
            .thenComparing(AdmissionDecision::uid)
            .thenComparing(d -> nonNull(d.check()));

    private static final String DECISION_COLUMNS = "SELECT decided_at, uid, namespace, workload, username, operation,"
            + " kind, name, mode, check_id, verdict, message FROM admission_decision";

    private static void readDecisions(PreparedStatement s, List<AdmissionDecision> out) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(new AdmissionDecision(
                        rs.getTimestamp(1).toInstant(),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getString(10),
                        rs.getString(11),
                        rs.getString(12)));
            }
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    /** {@code t}, or the next whole microsecond after it. */
    private static Instant upToMicros(Instant t) {
        Instant whole = t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        return whole.equals(t) ? t : whole.plus(1, java.time.temporal.ChronoUnit.MICROS);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** The key of a pod's labels (stored in full beside it): SHA-256 of their JSON, in hex. */
    static String labelsDigest(String labels) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(labels.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private <K extends dev.tailor.util.Joined.Ordered<K>> BatchResult ingest(
            String source, List<Sighting<K>> batch, AggregateTable<K> table) throws SQLException {
        return ingest(source, batch, table, () -> {});
    }

    /** What else a batch writes, in its transaction. */
    @FunctionalInterface
    private interface AlsoWritten {
        void write() throws SQLException;
    }

    /** The same, with {@code also} written in the batch's transaction, after its aggregates. */
    private <K extends dev.tailor.util.Joined.Ordered<K>> BatchResult ingest(
            String source, List<Sighting<K>> batch, AggregateTable<K> table, AlsoWritten also) throws SQLException {
        // What the store cannot hold is refused here, event by event, so it never fails the batch (the readers refuse
        // it before, with its line; this is the last line of defence).
        List<Sighting<K>> fitting = batch;
        if (batch.stream()
                .anyMatch(e -> e.aggregate() != null && table.problem().apply(e.aggregate()) != null)) {
            fitting = batch.stream()
                    .filter(e -> e.aggregate() == null || table.problem().apply(e.aggregate()) == null)
                    .toList();
        }
        long rejected = batch.size() - fitting.size();
        // What happened before the store's horizon is forgotten, and so is the fingerprint that would say whether an
        // event of then was counted: stored again, it would be counted twice, or alone.
        long expired = 0;
        if (fitting.stream().anyMatch(e -> e.time().isBefore(keptFrom))) {
            List<Sighting<K>> kept =
                    fitting.stream().filter(e -> !e.time().isBefore(keptFrom)).toList();
            expired = fitting.size() - kept.size();
            fitting = kept;
        }
        try {
            SeenEvents.Marked<Sighting<K>> marked = seen.mark(connection, postgres, source, fitting);
            List<Sighting<K>> fresh = marked.fresh();
            table.add(connection, postgres, fresh);
            also.write();
            connection.commit();
            marked.afterCommit().run();
            return new BatchResult(fresh.size(), fitting.size() - fresh.size(), rejected, expired);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    /**
     * The disk an embedded (H2) store takes: its file, and the part of it that holds live data — H2 writes changes to
     * new chunks and reuses the old ones' space later, so the file runs ahead of what it holds.
     */
    public record DiskUse(long fileBytes, long liveBytes) {}

    /** What the embedded store's file takes now; empty for PostgreSQL, whose disk is the database's to keep. */
    public synchronized java.util.Optional<DiskUse> diskUse() throws SQLException {
        if (postgres) {
            return java.util.Optional.empty();
        }
        long file = -1;
        int fill = -1;
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                        + " WHERE SETTING_NAME IN ('info.FILE_SIZE', 'info.CHUNKS_FILL_RATE')")) {
            while (rs.next()) {
                if (rs.getString(1).equals("info.FILE_SIZE")) {
                    file = Long.parseLong(rs.getString(2).trim());
                } else {
                    fill = Integer.parseInt(rs.getString(2).trim().replace("%", ""));
                }
            }
            connection.commit();
        } catch (NumberFormatException e) {
            throw new SQLException("H2 said its file's size in a form not read here: " + e.getMessage(), e);
        }
        if (file < 0 || fill < 0) {
            return java.util.Optional.empty(); // not a file store (an in-memory database in tests)
        }
        return java.util.Optional.of(new DiskUse(file, file * fill / 100));
    }

    /** The fill rate {@link #compact} brings an embedded store's file back to: what H2's own maintenance aims at. */
    static final int COMPACT_FILL_RATE = 90;

    /** The most live data one {@link #compact} rewrites: a few milliseconds of the writer's time. */
    static final int COMPACT_WRITE_BYTES = 16 << 20;

    /**
     * Rewrites the live pages of the embedded store's emptiest chunks, so that their space is used again ({@value
     * #COMPACT_FILL_RATE} % full, {@value #COMPACT_WRITE_BYTES} bytes at most a call); whether it rewrote any. H2
     * writes each commit's changed pages to a new chunk; its background thread, which would compact the chunks left
     * part empty, does not run with {@code WRITE_DELAY=0}, which the store needs — so a store written in many small
     * commits grows without end: the webhook's, a commit a second, took 1.2 KB of file per decision (5 times the
     * data it held) and more as it grew. A long-lived writer calls this every few seconds; PostgreSQL vacuums its own
     * (nothing is done).
     */
    public synchronized boolean compact() throws SQLException {
        if (postgres) {
            return false;
        }
        org.h2.engine.Session session =
                connection.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
        if (!(session instanceof org.h2.engine.SessionLocal local)
                || local.getDatabase().getStore() == null) {
            return false; // a server's database, or an in-memory one: not this process's file to compact
        }
        return local.getDatabase().getStore().getMvStore().compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES);
    }

    /** What {@link #prune} forgot: rows (events, for {@code ingested_block}) by table, and the horizon it set. */
    public record Pruned(Instant keptFrom, Map<String, Long> removed) {}

    /**
     * Forgets what was observed before {@code keptFrom} (the webhook's retention: a store it fills never stops
     * growing otherwise, nor does the pod directory each replica holds in memory): the API accesses, connections and
     * syscall uses last seen before it, with their day rows, and every day row of the days before its day; the
     * decisions made before it; the fingerprints of the events of its earlier minutes (so an event older than it is
     * not stored again: {@link BatchResult#expired}). A pod's identity and its creation's owner refusal go only when
     * {@code existingPods} ({@code namespace/pod}) is known and the pod is not among them — a pod created long ago
     * and still running is the same pod, and a made-up one must not regain its claimed owner by growing old; null
     * keeps them all. The horizon moves first, in a transaction of its own: a kill after it leaves a store that forgot
     * less, never one that takes old events again. Then each table in transactions of its own, the aggregates {@link
     * AggregateTable#FORGET_PAGE} at a time: the first prune of a store grown for months lets the webhook's writers in
     * between, rather than holding them for all of it. The horizon never moves back.
     */
    public Pruned prune(Instant keptFrom, java.util.Set<String> existingPods) throws SQLException {
        Map<String, Long> removed = new java.util.TreeMap<>();
        Instant from = inTransaction(() -> {
            try (PreparedStatement s =
                    connection.prepareStatement("UPDATE store_horizon SET kept_from = ? WHERE kept_from < ?")) {
                s.setTimestamp(1, Timestamp.from(keptFrom));
                s.setTimestamp(2, Timestamp.from(keptFrom));
                s.executeUpdate();
            }
            this.keptFrom = keptFrom();
            return this.keptFrom;
        });
        for (AggregateTable<?> table : List.of(
                AggregateTable.API_ACCESS,
                AggregateTable.NETWORK_FLOW,
                AggregateTable.SYSCALL_USE,
                AggregateTable.ADMISSION_ALLOWED)) {
            removed.put(table.name(), forget(table, from, k -> false));
        }
        removed.put(
                "pod_identity",
                forget(
                        AggregateTable.POD_IDENTITY,
                        from,
                        p -> existingPods == null || existingPods.contains(p.namespace() + "/" + p.pod())));
        removed.put(
                "pod_owner_refused",
                existingPods == null ? 0L : inTransaction(() -> forgetRefusals(from, existingPods)));
        removed.put("admission_decision", inTransaction(() -> {
            try (PreparedStatement s =
                    connection.prepareStatement("DELETE FROM admission_decision WHERE decided_at < ?")) {
                s.setTimestamp(1, Timestamp.from(from));
                return (long) s.executeUpdate();
            }
        }));
        removed.put(
                "ingested_block",
                inTransaction(() -> seen.forgetBefore(connection, SeenEvents.minuteOf(from.toEpochMilli()))));
        if (removed.get("pod_identity") > 0 || removed.get("pod_owner_refused") > 0) {
            synchronized (this) {
                pods = null; // read again from the store when next needed, without the pods forgotten
                refusalsWritten = null;
            }
        }
        return new Pruned(from, removed);
    }

    /** A table's aggregates last seen before {@code from}, a page per transaction, then its older days' rows. */
    private <K extends dev.tailor.util.Joined.Ordered<K>> long forget(
            AggregateTable<K> table, Instant from, java.util.function.Predicate<K> kept) throws SQLException {
        long deleted = 0;
        long after = Long.MIN_VALUE;
        AggregateTable.Forgotten page;
        do {
            long pageAfter = after;
            page = inTransaction(() -> table.forgetPage(connection, from, kept, pageAfter));
            deleted += page.deleted();
            after = page.lastId();
        } while (page.more());
        inTransaction(() -> {
            table.forgetDaysBefore(connection, from);
            return null;
        });
        return deleted;
    }

    /**
     * Deletes the owner refusals of pods created before {@code from} that no longer exist and of which no identity is
     * left (one left would be read as its claimed owner's again).
     */
    private long forgetRefusals(Instant from, java.util.Set<String> existingPods) throws SQLException {
        List<String[]> gone = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT r.namespace, r.pod FROM pod_owner_refused r"
                + " WHERE r.created < ? AND NOT EXISTS (SELECT 1 FROM pod_identity i"
                + " WHERE i.namespace = r.namespace AND i.pod = r.pod) ORDER BY r.namespace, r.pod")) {
            s.setTimestamp(1, Timestamp.from(from));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (!existingPods.contains(rs.getString(1) + "/" + rs.getString(2))) {
                        gone.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
            }
        }
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM pod_owner_refused WHERE namespace = ? AND pod = ?")) {
            for (String[] p : gone) {
                delete.setString(1, p[0]);
                delete.setString(2, p[1]);
                delete.addBatch();
            }
            delete.executeBatch();
        }
        return gone.size();
    }

    /**
     * Work done in a transaction of its own, holding the store (its one connection) only while it runs: committed when
     * it returns, rolled back when it throws.
     */
    @FunctionalInterface
    private interface Transaction<T> {
        T run() throws SQLException;
    }

    private synchronized <T> T inTransaction(Transaction<T> work) throws SQLException {
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    /** The pods whose creation was seen, as {@code namespace/pod}. */
    public synchronized java.util.Set<String> podsSeenCreated() throws SQLException {
        return joinedRows("SELECT DISTINCT namespace, pod FROM pod_identity WHERE created_seen");
    }

    /** The containers of the workloads' pods ({@code spec.containers}), as {@code namespace/kind.name/container}. */
    public synchronized java.util.Set<String> workloadContainers() throws SQLException {
        return containers("workload_container");
    }

    /** The workloads' init containers, as {@code namespace/kind.name/container}. */
    public synchronized java.util.Set<String> initContainers() throws SQLException {
        return containers("init_container");
    }

    /**
     * The ephemeral containers added to the workloads' pods, as {@code namespace/kind.name/container}, but not those
     * named like a container of the workload's pods. Kubernetes refuses an ephemeral container named like one of its
     * own pod's, so such a one was added to another pod that names the same owner (a pod made to look like the
     * workload's, by whoever may create pods in its namespace): it does not make the template's container one.
     */
    public synchronized java.util.Set<String> ephemeralContainers() throws SQLException {
        return containers("ephemeral_container e WHERE NOT EXISTS (SELECT 1 FROM workload_container c"
                + " WHERE c.namespace = e.namespace AND c.workload = e.workload AND c.container = e.container)");
    }

    /** The rows {@code namespace, workload, container} of a container table ({@code FROM} and what follows). */
    private java.util.Set<String> containers(String from) throws SQLException {
        return joinedRows("SELECT namespace, workload, container FROM " + from);
    }

    /** A query's rows, each its columns joined by {@code /}, sorted. */
    private java.util.Set<String> joinedRows(String query) throws SQLException {
        java.util.Set<String> out = new java.util.TreeSet<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder(rs.getString(1));
                for (int i = 2; i <= columns; i++) {
                    row.append('/').append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        connection.commit();
        return out;
    }

    /** Every stored pod identity, sorted. */
    public synchronized Map<PodIdentity, StoredAccess> podIdentities() throws SQLException {
        Map<PodIdentity, StoredAccess> all = read(AggregateTable.POD_IDENTITY);
        java.util.Set<String> refused = refusedPods();
        if (refused.isEmpty()) {
            return all;
        }
        // A pod whose creation vouched for no controller's owner is its own workload only: a sighting stored under
        // an owner before its creation's was (another replica wrote it first) is not the owner's.
        Map<PodIdentity, StoredAccess> decided = new java.util.LinkedHashMap<>();
        all.forEach((p, seen) -> {
            if (!refused.contains(p.namespace() + "/" + p.pod())
                    || (p.workloadKind().equals("Pod") && p.workloadName().equals(p.pod()))) {
                decided.put(p, seen);
            }
        });
        return decided;
    }

    /** Every stored syscall use, sorted. */
    public synchronized Map<SyscallUse, StoredAccess> syscallUses() throws SQLException {
        return read(AggregateTable.SYSCALL_USE);
    }

    /** Every stored edge of the connectivity graph, sorted. */
    public synchronized Map<NetworkEdge, StoredAccess> networkEdges() throws SQLException {
        return read(AggregateTable.NETWORK_FLOW);
    }

    /** Every stored access, sorted. */
    public synchronized Map<ApiAccess, StoredAccess> apiAccesses() throws SQLException {
        return read(AggregateTable.API_ACCESS);
    }

    /**
     * A table and its day rows, read whole. On H2 lazily: each row is handed over as it is read, where by default H2
     * first copies a large result whole, beyond its rows kept in memory into a temporary file (on a month of 1,002
     * workloads, 257,000 day rows: about a sixth of what generate spent reading the store).
     */
    private <K extends dev.tailor.util.Joined.Ordered<K>> Map<K, StoredAccess> read(AggregateTable<K> table)
            throws SQLException {
        lazily(true);
        try {
            Map<K, StoredAccess> out = table.read(connection);
            connection.commit();
            return out;
        } finally {
            lazily(false);
        }
    }

    /** What {@link #forEachRow} hands each row to: a writer, say. */
    @FunctionalInterface
    interface EachRow<K> {
        void accept(K key, StoredAccess seen) throws IOException;
    }

    /**
     * Hands each row of a table, with its days, to {@code each}, a page at a time in the order the rows were made (not
     * sorted): a table of any size costs the heap of a page, and the store is held only while a page is read — never
     * while {@code each} writes to a client, however slowly it reads. A row made or counted again while the pages
     * are read is handed over as one page or another found it.
     */
    <K extends dev.tailor.util.Joined.Ordered<K>> void forEachRow(AggregateTable<K> table, EachRow<K> each)
            throws SQLException, IOException {
        long after = Long.MIN_VALUE;
        for (boolean more = true; more; ) {
            Map<K, StoredAccess> page = new java.util.LinkedHashMap<>();
            after = page(table, after, page);
            for (var row : page.entrySet()) {
                each.accept(row.getKey(), row.getValue());
            }
            more = page.size() == AggregateTable.READ_PAGE;
        }
    }

    private synchronized <K extends dev.tailor.util.Joined.Ordered<K>> long page(
            AggregateTable<K> table, long after, Map<K, StoredAccess> out) throws SQLException {
        lazily(true);
        try {
            long last = table.readPage(connection, after, out);
            connection.commit();
            return last;
        } finally {
            lazily(false);
        }
    }

    private void lazily(boolean lazy) throws SQLException {
        if (!postgres) {
            try (java.sql.Statement s = connection.createStatement()) {
                s.execute("SET LAZY_QUERY_EXECUTION " + lazy);
            }
        }
    }

    /** How many events of a source ("audit") are stored. */
    public synchronized long ingestedEvents(String source) throws SQLException {
        long n = SeenEvents.count(connection, source);
        connection.commit();
        return n;
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }

    /**
     * A connection to {@code url} from the JDBC drivers this class's loader sees. {@link DriverManager} hands out only
     * drivers its caller's loader sees, and registers each once per JVM: after a restart in one JVM (Quarkus's tests
     * and dev mode) it kept the first loader's H2 driver and answered "No suitable driver" to the new one.
     */
    static Connection connect(String url) throws SQLException {
        for (java.sql.Driver driver :
                java.util.ServiceLoader.load(java.sql.Driver.class, ObservationStore.class.getClassLoader())) {
            if (driver.acceptsURL(url)) {
                Connection connection = driver.connect(url, new java.util.Properties());
                if (connection != null) {
                    return connection;
                }
            }
        }
        return DriverManager.getConnection(url);
    }
}
