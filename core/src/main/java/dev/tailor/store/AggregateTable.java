package dev.tailor.store;

import dev.tailor.observe.admission.AllowedRequests;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallUse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One of the store's aggregate tables ({@code api_access}, {@code network_flow}, {@code syscall_use},
 * {@code pod_identity}, {@code admission_allowed}) with its per-day table: the columns of its key, how a key is written and read back, and how
 * a batch's fresh events are added to it — one upsert per aggregate they touch — and the table read whole.
 */
record AggregateTable<K extends dev.tailor.util.Joined.Ordered<K>>(
        String name,
        String dayTable,
        String idColumn,
        List<String> keyColumns,
        Function<K, List<Object>> keyValues,
        KeyReader<K> keyReader,
        Function<K, String> problem) {

    /** Reads a key from a result row, its columns starting at {@code from}. */
    @FunctionalInterface
    interface KeyReader<K> {
        K read(ResultSet rs, int from) throws SQLException;
    }

    static final AggregateTable<ApiAccess> API_ACCESS = new AggregateTable<>(
            "api_access",
            "api_access_day",
            "access_id",
            List.of(
                    "subject",
                    "verb",
                    "api_group",
                    "resource",
                    "subresource",
                    "namespace",
                    "name",
                    "non_resource_url",
                    "denied"),
            a -> List.of(
                    a.subject(),
                    a.verb(),
                    a.apiGroup(),
                    a.resource(),
                    a.subresource(),
                    a.namespace(),
                    a.name(),
                    a.nonResourceUrl(),
                    a.denied()),
            (rs, i) -> new ApiAccess(
                    rs.getString(i),
                    rs.getString(i + 1),
                    rs.getString(i + 2),
                    rs.getString(i + 3),
                    rs.getString(i + 4),
                    rs.getString(i + 5),
                    rs.getString(i + 6),
                    rs.getString(i + 7),
                    rs.getBoolean(i + 8)),
            Columns::problem);

    static final AggregateTable<NetworkEdge> NETWORK_FLOW = new AggregateTable<>(
            "network_flow",
            "network_flow_day",
            "flow_id",
            List.of(
                    "src_namespace",
                    "src_workload",
                    "src_address",
                    "dst_namespace",
                    "dst_workload",
                    "dst_address",
                    "dst_dns_name",
                    "protocol",
                    "port",
                    "dropped"),
            c -> List.of(
                    c.srcNamespace(),
                    c.srcWorkload(),
                    c.srcAddress(),
                    c.dstNamespace(),
                    c.dstWorkload(),
                    c.dstAddress(),
                    c.dstDnsName(),
                    c.protocol(),
                    c.port(),
                    c.dropped()),
            (rs, i) -> new NetworkEdge(
                    rs.getString(i),
                    rs.getString(i + 1),
                    rs.getString(i + 2),
                    rs.getString(i + 3),
                    rs.getString(i + 4),
                    rs.getString(i + 5),
                    rs.getString(i + 6),
                    rs.getString(i + 7),
                    rs.getInt(i + 8),
                    rs.getBoolean(i + 9)),
            Columns::problem);

    static final AggregateTable<SyscallUse> SYSCALL_USE = new AggregateTable<>(
            "syscall_use",
            "syscall_use_day",
            "use_id",
            List.of("namespace", "workload", "container", "executable", "architecture", "syscall", "action"),
            u -> List.of(
                    u.namespace(),
                    u.workload(),
                    u.container(),
                    u.executable(),
                    u.architecture(),
                    u.syscall(),
                    u.action()),
            (rs, i) -> new SyscallUse(
                    rs.getString(i),
                    rs.getString(i + 1),
                    rs.getString(i + 2),
                    rs.getString(i + 3),
                    rs.getString(i + 4),
                    rs.getString(i + 5),
                    rs.getString(i + 6)),
            Columns::problem);

    static final AggregateTable<AllowedRequests> ADMISSION_ALLOWED = new AggregateTable<>(
            "admission_allowed",
            "admission_allowed_day",
            "allowed_id",
            List.of("namespace", "workload", "kind", "operation", "mode"),
            r -> List.of(r.namespace(), r.workload(), r.kind(), r.operation(), r.mode()),
            (rs, i) -> new AllowedRequests(
                    rs.getString(i),
                    rs.getString(i + 1),
                    rs.getString(i + 2),
                    rs.getString(i + 3),
                    rs.getString(i + 4)),
            Columns::problem);

    static final AggregateTable<PodIdentity> POD_IDENTITY = new AggregateTable<>(
            "pod_identity",
            "pod_identity_day",
            "pod_id",
            List.of("namespace", "pod", "workload_kind", "workload_name", "service_account", "labels_digest", "labels"),
            p -> List.of(
                    p.namespace(),
                    p.pod(),
                    p.workloadKind(),
                    p.workloadName(),
                    p.serviceAccount(),
                    ObservationStore.labelsDigest(p.labels()),
                    p.labels()),
            (rs, i) -> new PodIdentity(
                    rs.getString(i),
                    rs.getString(i + 1),
                    rs.getString(i + 2),
                    rs.getString(i + 3),
                    rs.getString(i + 4),
                    rs.getString(i + 6)),
            Columns::problem);

    /**
     * Adds fresh sightings to their aggregates and day rows (the caller commits): each aggregate a batch touches is
     * upserted once, with what its events add up to.
     */
    void add(Connection connection, boolean postgres, List<Sighting<K>> fresh) throws SQLException {
        // Insertion order, not sorted order: sorting records by their text on every put cost more than parsing.
        Map<K, Tally> byKey = new java.util.LinkedHashMap<>();
        for (Sighting<K> e : fresh) {
            if (e.aggregate() != null) {
                byKey.computeIfAbsent(e.aggregate(), k -> new Tally()).add(e.time());
            }
        }
        Iterable<Map.Entry<K, Tally>> entries;
        if (postgres) {
            // Rows are locked as they are upserted: every replica takes them in the same order, so two batches
            // never wait on each other in a circle (which PostgreSQL would end by failing one of them).
            List<Map.Entry<K, Tally>> ordered = new ArrayList<>(byKey.entrySet());
            ordered.sort(Comparator.comparingInt(
                            (Map.Entry<K, Tally> e) -> e.getKey().hashCode())
                    .thenComparing(Map.Entry::getKey));
            entries = ordered;
        } else {
            // In the key's order, as H2's unique index holds them: the rows of a batch fall on neighbouring pages,
            // which H2 writes once each instead of again at every store of its unsaved pages.
            entries = dev.tailor.util.Joined.inOrder(byKey).entrySet();
        }
        try (PreparedStatements statements = new PreparedStatements(connection)) {
            for (var e : entries) {
                Tally tally = e.getValue();
                Stored row = upsert(statements, postgres, keyValues().apply(e.getKey()), tally);
                for (var d : tally.days().entrySet()) {
                    upsertDay(statements, postgres, row, d.getKey(), d.getValue());
                }
            }
        }
    }

    /**
     * An aggregate's row as a batch found it: its id, and the UTC days (since 1970-01-01) outside which it has no day
     * row yet — none for a row just inserted, any on PostgreSQL (where the day rows are upserted regardless).
     */
    private record Stored(long id, long firstDay, long lastDay) {
        static Stored inserted(long id) {
            return new Stored(id, Long.MAX_VALUE, Long.MIN_VALUE);
        }

        static Stored unknown(long id) {
            return new Stored(id, Long.MIN_VALUE, Long.MAX_VALUE);
        }

        boolean mayHaveDay(long day) {
            return day >= firstDay && day <= lastDay;
        }
    }

    /** What a batch's events of one aggregate add up to: how many, first and last, and how many on each UTC day. */
    static final class Tally {
        long count;
        Instant first;
        Instant last;
        private final Map<Long, Long> days = new TreeMap<>();
        private long day = Long.MIN_VALUE; // the day of the events just counted (a batch is mostly one day) …
        private long onDay; // … and how many of them

        void add(Instant t) {
            count++;
            if (first == null || t.isBefore(first)) {
                first = t;
            }
            if (last == null || t.isAfter(last)) {
                last = t;
            }
            long d = day(t);
            if (d != day) {
                flushDay();
                day = d;
            }
            onDay++;
        }

        /** Counts per day, by days since 1970-01-01 (UTC). */
        Map<Long, Long> days() {
            flushDay();
            return days;
        }

        private void flushDay() {
            if (onDay > 0) {
                days.merge(day, onDay, Long::sum);
                onDay = 0;
            }
        }
    }

    /** Adds a tally to its aggregate's row (inserted if need be). */
    private Stored upsert(PreparedStatements statements, boolean postgres, List<Object> key, Tally tally)
            throws SQLException {
        Instant first = tally.first;
        Instant last = tally.last;
        String columns = String.join(", ", keyColumns());
        String marks = "?, ".repeat(keyColumns().size());
        if (postgres) {
            // One statement, and race-free: replicas adding the same new access at the same moment both succeed.
            {
                PreparedStatement upsert = statements.get("INSERT INTO " + name() + " (" + columns
                        + ", first_seen, last_seen, seen_count) VALUES (" + marks
                        + "?, ?, ?) ON CONFLICT ON CONSTRAINT "
                        + name() + "_key DO UPDATE SET seen_count = " + name() + ".seen_count + EXCLUDED.seen_count,"
                        + " first_seen = LEAST(" + name() + ".first_seen, EXCLUDED.first_seen),"
                        + " last_seen = GREATEST(" + name() + ".last_seen, EXCLUDED.last_seen) RETURNING id");
                int next = bind(upsert, 1, key);
                upsert.setTimestamp(next, Timestamp.from(first));
                upsert.setTimestamp(next + 1, Timestamp.from(last));
                upsert.setLong(next + 2, tally.count);
                try (ResultSet rs = upsert.executeQuery()) {
                    rs.next();
                    return Stored.unknown(rs.getLong(1));
                }
            }
        }
        // H2: one process's store (its file is locked), so looking before inserting races with no one.
        String where = String.join(" = ? AND ", keyColumns()) + " = ?";
        {
            PreparedStatement find =
                    statements.get("SELECT id, first_seen, last_seen FROM " + name() + " WHERE " + where);
            bind(find, 1, key);
            try (ResultSet rs = find.executeQuery()) {
                if (rs.next()) {
                    long id = rs.getLong(1);
                    Stored found = new Stored(
                            id,
                            day(rs.getTimestamp(2).toInstant()),
                            day(rs.getTimestamp(3).toInstant()));
                    {
                        PreparedStatement update = statements.get("UPDATE " + name() + " SET"
                                + " seen_count = seen_count + ?, first_seen = LEAST(first_seen, ?), last_seen = GREATEST(last_seen, ?)"
                                + " WHERE id = ?");
                        update.setLong(1, tally.count);
                        update.setTimestamp(2, Timestamp.from(first));
                        update.setTimestamp(3, Timestamp.from(last));
                        update.setLong(4, id);
                        update.executeUpdate();
                    }
                    return found;
                }
            }
        }
        {
            PreparedStatement insert = statements.returningKeys("INSERT INTO " + name() + " (" + columns
                    + ", first_seen, last_seen, seen_count) VALUES (" + marks + "?, ?, ?)");
            int next = bind(insert, 1, key);
            insert.setTimestamp(next, Timestamp.from(first));
            insert.setTimestamp(next + 1, Timestamp.from(last));
            insert.setLong(next + 2, tally.count);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return Stored.inserted(keys.getLong(1));
            }
        }
    }

    static int bind(PreparedStatement s, int from, List<Object> values) throws SQLException {
        for (Object v : values) {
            s.setObject(from++, v);
        }
        return from;
    }

    private void upsertDay(PreparedStatements statements, boolean postgres, Stored row, long epochDay, long count)
            throws SQLException {
        LocalDate day = LocalDate.ofEpochDay(epochDay);
        if (postgres) {
            PreparedStatement upsert = statements.get("INSERT INTO " + dayTable() + " (" + idColumn()
                    + ", seen_on, seen_count) VALUES (?, ?, ?) ON CONFLICT (" + idColumn()
                    + ", seen_on) DO UPDATE SET seen_count = " + dayTable() + ".seen_count + EXCLUDED.seen_count");
            upsert.setLong(1, row.id());
            upsert.setObject(2, day);
            upsert.setLong(3, count);
            upsert.executeUpdate();
            return;
        }
        if (row.mayHaveDay(epochDay)) {
            PreparedStatement update = statements.get("UPDATE " + dayTable() + " SET seen_count = seen_count + ? WHERE "
                    + idColumn() + " = ? AND seen_on = ?");
            update.setLong(1, count);
            update.setLong(2, row.id());
            update.setObject(3, day);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        PreparedStatement insert = statements.get(
                "INSERT INTO " + dayTable() + " (" + idColumn() + ", seen_on, seen_count) VALUES (?, ?, ?)");
        insert.setLong(1, row.id());
        insert.setObject(2, day);
        insert.setLong(3, count);
        insert.executeUpdate();
    }

    /** The UTC day of an instant, as days since 1970-01-01: what {@link Tally} counts by. */
    static long day(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), 86_400L);
    }

    private Map<Long, Map<LocalDate, Long>> days(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + idColumn() + ", seen_on, seen_count FROM " + dayTable())) {
            return days(rs);
        }
    }

    /** Day rows ({@code id, seen_on, seen_count}) as each aggregate's counts by day. */
    private static Map<Long, Map<LocalDate, Long>> days(ResultSet rs) throws SQLException {
        Map<Long, Map<LocalDate, Long>> days = new java.util.HashMap<>();
        while (rs.next()) {
            days.computeIfAbsent(rs.getLong(1), k -> new TreeMap<>())
                    .put(rs.getObject(2, LocalDate.class), rs.getLong(3));
        }
        return days;
    }

    /** The columns after a row's key ({@code first_seen, last_seen, seen_count}), with the days given. */
    private ObservationStore.StoredAccess seen(ResultSet rs, Map<LocalDate, Long> days) throws SQLException {
        int after = keyColumns().size() + 2;
        return new ObservationStore.StoredAccess(
                rs.getTimestamp(after).toInstant(),
                rs.getTimestamp(after + 1).toInstant(),
                rs.getLong(after + 2),
                days);
    }

    /** Aggregates a transaction of {@link #forgetPage} looks at, at most: a large prune lets the writers in between. */
    static final int FORGET_PAGE = 10_000;

    /** What a page of {@link #forgetPage} did: the last id it looked at, how many it deleted, and whether more may be. */
    record Forgotten(long lastId, int deleted, boolean more) {}

    /**
     * Forgets, in the caller's transaction, the aggregates last seen before {@code keptFrom} among the next {@link
     * #FORGET_PAGE} of them after id {@code afterId}, with their day rows — unless {@code kept} keeps one (whole: a pod
     * that still exists keeps its identity however long ago it was seen). An aggregate seen on both sides of {@code
     * keptFrom} keeps its first sighting and count, its whole history's; {@link #forgetDaysBefore} takes its old days.
     */
    Forgotten forgetPage(Connection connection, Instant keptFrom, java.util.function.Predicate<K> kept, long afterId)
            throws SQLException {
        List<Long> old = new ArrayList<>();
        long last = afterId;
        int looked = 0;
        try (PreparedStatement s = connection.prepareStatement("SELECT id, " + String.join(", ", keyColumns())
                + " FROM " + name() + " WHERE last_seen < ? AND id > ? ORDER BY id LIMIT " + FORGET_PAGE)) {
            s.setTimestamp(1, Timestamp.from(keptFrom));
            s.setLong(2, afterId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    looked++;
                    last = rs.getLong(1);
                    if (!kept.test(keyReader().read(rs, 2))) {
                        old.add(last);
                    }
                }
            }
        }
        // Each row checked again as it is deleted: another replica may have stored a sighting of it since it was read
        // (PostgreSQL); it then keeps its row and its new day, and loses only its old days.
        LocalDate lastOldDay = LocalDate.ofInstant(keptFrom, java.time.ZoneOffset.UTC);
        int deleted = 0;
        try (PreparedStatement days = connection.prepareStatement(
                        "DELETE FROM " + dayTable() + " WHERE " + idColumn() + " = ? AND seen_on <= ?");
                PreparedStatement rows =
                        connection.prepareStatement("DELETE FROM " + name() + " WHERE id = ? AND last_seen < ?")) {
            for (long id : old) {
                days.setLong(1, id);
                days.setObject(2, lastOldDay);
                days.addBatch();
                rows.setLong(1, id);
                rows.setTimestamp(2, Timestamp.from(keptFrom));
                rows.addBatch();
            }
            days.executeBatch();
            for (int n : rows.executeBatch()) {
                deleted += n == 0 ? 0 : 1;
            }
        }
        return new Forgotten(last, deleted, looked == FORGET_PAGE);
    }

    /** Deletes, in the caller's transaction, the day rows of the days before {@code keptFrom}'s. */
    void forgetDaysBefore(Connection connection, Instant keptFrom) throws SQLException {
        try (PreparedStatement days = connection.prepareStatement("DELETE FROM " + dayTable() + " WHERE seen_on < ?")) {
            days.setObject(1, LocalDate.ofInstant(keptFrom, java.time.ZoneOffset.UTC));
            days.executeUpdate();
        }
    }

    /**
     * Rows a page of {@link #readPage} holds at most: its heap (a row's key and, over a month, up to 31 day counts:
     * about 200 KB a page), and how long the store is held for one. A page is alive across the webhook's young
     * collections while a snapshot is written: of 1,000 rows it was copied and promoted with them, and three snapshots
     * of a month under 1,000 reviews/s took 10 full collections; of 250, 4.
     */
    static final int READ_PAGE = 250;

    /**
     * The rows after id {@code afterId}, {@link #READ_PAGE} at most, in the order of their ids, each with its per-day
     * counts, put into {@code out}; the last id read ({@code afterId} when none). Two range reads of the tables'
     * primary keys: a table of any size is read in pages of the same heap (the caller ends the transaction).
     */
    long readPage(Connection connection, long afterId, Map<K, ObservationStore.StoredAccess> out) throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<K> rowKeys = new ArrayList<>();
        List<ObservationStore.StoredAccess> seen = new ArrayList<>(); // their days added below
        try (PreparedStatement s = connection.prepareStatement("SELECT id, " + String.join(", ", keyColumns())
                + ", first_seen, last_seen, seen_count FROM " + name() + " WHERE id > ? ORDER BY id LIMIT "
                + READ_PAGE)) {
            s.setLong(1, afterId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    rowKeys.add(keyReader().read(rs, 2));
                    seen.add(seen(rs, Map.of()));
                }
            }
        }
        if (ids.isEmpty()) {
            return afterId;
        }
        long lastId = ids.get(ids.size() - 1);
        Map<Long, Map<LocalDate, Long>> days;
        try (PreparedStatement s = connection.prepareStatement("SELECT " + idColumn() + ", seen_on, seen_count FROM "
                + dayTable() + " WHERE " + idColumn() + " > ? AND " + idColumn() + " <= ? ORDER BY " + idColumn()
                + ", seen_on")) {
            s.setLong(1, afterId);
            s.setLong(2, lastId);
            try (ResultSet rs = s.executeQuery()) {
                days = days(rs);
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            ObservationStore.StoredAccess row = seen.get(i);
            Map<LocalDate, Long> itsDays = days.get(ids.get(i));
            out.put(
                    rowKeys.get(i),
                    itsDays == null
                            ? row
                            : new ObservationStore.StoredAccess(row.firstSeen(), row.lastSeen(), row.count(), itsDays));
        }
        return lastId;
    }

    /** Every row with its per-day counts, sorted by key (the caller ends the transaction). */
    Map<K, ObservationStore.StoredAccess> read(Connection connection) throws SQLException {
        Map<Long, Map<LocalDate, Long>> days = days(connection);
        Map<K, ObservationStore.StoredAccess> out = new java.util.LinkedHashMap<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, " + String.join(", ", keyColumns())
                        + ", first_seen, last_seen, seen_count FROM " + name())) {
            while (rs.next()) {
                out.put(keyReader().read(rs, 2), seen(rs, days.getOrDefault(rs.getLong(1), Map.of())));
            }
        }
        return dev.tailor.util.Joined.inOrder(out);
    }
}
