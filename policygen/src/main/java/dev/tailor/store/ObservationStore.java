package dev.tailor.store;

import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.audit.ApiRequest;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;

/**
 * Where observations are kept: aggregates per access (and, as issue 3 goes on, per flow and per syscall), never
 * raw events. An embedded H2 file by default — no set-up — or PostgreSQL for several webhook replicas; the same
 * SQL runs on both (H2 in its PostgreSQL mode), and Flyway migrates the schema on open.
 *
 * <p>Each batch is one transaction: a crash or kill in the middle of an ingest leaves the store as it was before
 * the batch, and a batch that returned is on disk. Ingesting the same events again changes nothing: audit events
 * are keyed by their {@code auditID}.
 */
public final class ObservationStore implements AutoCloseable {

    private final Connection connection;

    /** What one batch did. */
    public record BatchResult(long added, long alreadyStored) {}

    /** How an access was seen, as stored. */
    public record StoredAccess(Instant firstSeen, Instant lastSeen, long count, Map<LocalDate, Long> days) {}

    private ObservationStore(Connection connection) {
        this.connection = connection;
    }

    /** The embedded default: an H2 database file {@code observations.mv.db} in {@code dir}. */
    public static String embeddedUrl(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("observations")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                // H2 otherwise writes committed changes up to a second later: a kill would lose them.
                + ";WRITE_DELAY=0";
    }

    /**
     * Opens (and migrates) the store at a JDBC URL: {@code jdbc:h2:file:…} or
     * {@code jdbc:postgresql://host:5432/db?user=…&password=…}.
     */
    public static ObservationStore open(String url) throws SQLException {
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("store URL must be jdbc:h2:… or jdbc:postgresql:…, got " + redact(url));
        }
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").load().migrate();
        Connection connection = DriverManager.getConnection(url);
        connection.setAutoCommit(false);
        return new ObservationStore(connection);
    }

    /** The URL without a password, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** Stores a batch of audit requests, in one transaction; requests already stored (same audit ID) are skipped. */
    public synchronized BatchResult ingestAudit(List<ApiRequest> batch) throws SQLException {
        try {
            List<ApiRequest> fresh = new ArrayList<>();
            try (PreparedStatement mark = connection.prepareStatement(
                    "INSERT INTO ingested_event (source, event_key) VALUES ('audit', ?) ON CONFLICT DO NOTHING")) {
                for (ApiRequest r : batch) {
                    mark.setString(1, r.auditId());
                    mark.addBatch();
                }
                // One round trip for the whole batch; each count says whether that event was new (1) or known (0).
                int[] inserted = mark.executeBatch();
                for (int i = 0; i < inserted.length; i++) {
                    if (inserted[i] == 1) {
                        fresh.add(batch.get(i));
                    }
                }
            }
            Map<ApiAccess, List<Instant>> byAccess = new TreeMap<>();
            for (ApiRequest r : fresh) {
                byAccess.computeIfAbsent(ApiAccess.of(r), k -> new ArrayList<>()).add(r.time());
            }
            for (var e : byAccess.entrySet()) {
                long id = upsertAccess(e.getKey(), e.getValue());
                Map<LocalDate, Long> days = new TreeMap<>();
                e.getValue().forEach(t -> days.merge(LocalDate.ofInstant(t, ZoneOffset.UTC), 1L, Long::sum));
                for (var d : days.entrySet()) {
                    upsertDay(id, d.getKey(), d.getValue());
                }
            }
            connection.commit();
            return new BatchResult(fresh.size(), batch.size() - fresh.size());
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    private static final String KEY = "subject = ? AND verb = ? AND api_group = ? AND resource = ? AND subresource = ?"
            + " AND namespace = ? AND name = ? AND non_resource_url = ? AND denied = ?";

    private static int bindKey(PreparedStatement s, int from, ApiAccess a) throws SQLException {
        s.setString(from, a.subject());
        s.setString(from + 1, a.verb());
        s.setString(from + 2, a.apiGroup());
        s.setString(from + 3, a.resource());
        s.setString(from + 4, a.subresource());
        s.setString(from + 5, a.namespace());
        s.setString(from + 6, a.name());
        s.setString(from + 7, a.nonResourceUrl());
        s.setBoolean(from + 8, a.denied());
        return from + 9;
    }

    private long upsertAccess(ApiAccess access, List<Instant> times) throws SQLException {
        Instant first = times.stream().min(Instant::compareTo).orElseThrow();
        Instant last = times.stream().max(Instant::compareTo).orElseThrow();
        try (PreparedStatement find = connection.prepareStatement("SELECT id FROM api_access WHERE " + KEY)) {
            bindKey(find, 1, access);
            try (ResultSet rs = find.executeQuery()) {
                if (rs.next()) {
                    long id = rs.getLong(1);
                    try (PreparedStatement update = connection.prepareStatement("UPDATE api_access SET"
                            + " seen_count = seen_count + ?, first_seen = LEAST(first_seen, ?), last_seen = GREATEST(last_seen, ?)"
                            + " WHERE id = ?")) {
                        update.setLong(1, times.size());
                        update.setTimestamp(2, Timestamp.from(first));
                        update.setTimestamp(3, Timestamp.from(last));
                        update.setLong(4, id);
                        update.executeUpdate();
                    }
                    return id;
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO api_access (subject, verb, api_group,"
                + " resource, subresource, namespace, name, non_resource_url, denied, first_seen, last_seen, seen_count)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            int next = bindKey(insert, 1, access);
            insert.setTimestamp(next, Timestamp.from(first));
            insert.setTimestamp(next + 1, Timestamp.from(last));
            insert.setLong(next + 2, times.size());
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private void upsertDay(long accessId, LocalDate day, long count) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE api_access_day SET seen_count = seen_count + ? WHERE access_id = ? AND seen_on = ?")) {
            update.setLong(1, count);
            update.setLong(2, accessId);
            update.setObject(3, day);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO api_access_day (access_id, seen_on, seen_count) VALUES (?, ?, ?)")) {
            insert.setLong(1, accessId);
            insert.setObject(2, day);
            insert.setLong(3, count);
            insert.executeUpdate();
        }
    }

    /** Every stored access, sorted. */
    public synchronized Map<ApiAccess, StoredAccess> apiAccesses() throws SQLException {
        Map<Long, Map<LocalDate, Long>> days = new TreeMap<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT access_id, seen_on, seen_count FROM api_access_day")) {
            while (rs.next()) {
                days.computeIfAbsent(rs.getLong(1), k -> new TreeMap<>()).put(rs.getObject(2, LocalDate.class), rs.getLong(3));
            }
        }
        Map<ApiAccess, StoredAccess> out = new TreeMap<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, subject, verb, api_group, resource, subresource, namespace,"
                        + " name, non_resource_url, denied, first_seen, last_seen, seen_count FROM api_access")) {
            while (rs.next()) {
                ApiAccess access = new ApiAccess(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getBoolean(10));
                out.put(access, new StoredAccess(rs.getTimestamp(11).toInstant(), rs.getTimestamp(12).toInstant(),
                        rs.getLong(13), days.getOrDefault(rs.getLong(1), Map.of())));
            }
        }
        connection.commit();
        return out;
    }

    /** How many events of a source ("audit") are stored. */
    public synchronized long ingestedEvents(String source) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT COUNT(*) FROM ingested_event WHERE source = ?")) {
            s.setString(1, source);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                connection.commit();
                return n;
            }
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}
