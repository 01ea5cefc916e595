package dev.tailor.store;

import dev.tailor.observe.admission.EnforcePreview;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The enforce previews of a store's window counted by the database: what {@link EnforcePreview.Tally} counts from the
 * lines, in four queries whose results are as small as the namespaces, checks and workloads are many — the requests
 * and the objects are counted distinct by the database, which sorts beyond its memory onto its disk (PostgreSQL and
 * H2 alike), where a tally keeps every request's UID and every rejected object's name in the heap: 400,000 requests
 * of one namespace broke a 96 MiB heap, the webhook's. Slower than a tally (on H2, 70 s against 12 for those 800,000
 * lines), so only for a window a tally would not hold. {@code ObservationStoreTest} holds the two to the same
 * previews.
 */
final class StoredEnforcePreviews {

    /** A line enforce mode would have rejected ({@code EnforcePreview.wouldReject}). */
    private static final String WOULD_REJECT =
            "kind <> 'Namespace' AND (verdict = 'warned' OR (verdict = 'denied' AND mode = 'enforce'))";

    /**
     * A line of a workload's own object ({@code EnforcePreview.isWorkloadsOwnObject}): its workload is {@code
     * <kind>.<name>}, or names no kind.
     */
    private static final String OWN_OBJECT = "(POSITION('.' IN workload) = 0 OR (POSITION('.' IN kind) = 0"
            + " AND LOWER(SUBSTRING(workload, 1, LENGTH(kind) + 1)) = LOWER(kind) || '.'))";

    /** The workload a rejection is counted under ({@link EnforcePreview#workloadOf}). */
    private static final String WORKLOAD = "CASE WHEN workload = '' THEN kind || '/' || name ELSE workload END";

    /** What a query of the window runs against: the store's statements, one at a time. */
    @FunctionalInterface
    interface Queries {
        <T> T query(String sql, Reader<T> reader) throws SQLException;
    }

    /** Binds a query's parameters and reads its rows. */
    @FunctionalInterface
    interface Reader<T> {
        T read(PreparedStatement statement) throws SQLException;
    }

    private final Instant from;
    private final Instant until;
    private final String namespace;
    private final String collateC;

    /**
     * @param namespace the namespace to preview, or null for all
     * @param postgres whether the store is PostgreSQL (whose collation would put names in another order than Java's)
     */
    StoredEnforcePreviews(Instant from, Instant until, String namespace, boolean postgres) {
        this.from = from;
        this.until = until;
        this.namespace = namespace;
        this.collateC = postgres ? " COLLATE \"C\"" : "";
    }

    /** The window's lines of named namespaces (two parameters, three with a namespace). */
    private String window() {
        return "decided_at >= ? AND decided_at < ? AND namespace <> ''"
                + (namespace == null ? "" : " AND namespace = ?");
    }

    /** The lines counted as rejections: {@code EnforcePreview.Tally.rejects}. */
    private String rejected() {
        return WOULD_REJECT + " AND (" + OWN_OBJECT + " OR (namespace, workload, check_id) NOT IN (SELECT namespace,"
                + " workload, check_id FROM admission_decision WHERE " + window() + " AND " + WOULD_REJECT + " AND "
                + OWN_OBJECT + "))";
    }

    /** Binds the window {@code times} times from parameter 1. */
    private void bindWindows(PreparedStatement s, int times) throws SQLException {
        int i = 1;
        for (int n = 0; n < times; n++) {
            s.setTimestamp(i++, Timestamp.from(from));
            s.setTimestamp(i++, Timestamp.from(until));
            if (namespace != null) {
                s.setString(i++, namespace);
            }
        }
    }

    /**
     * The previews of the namespaces with requests in the window, or with {@code allowed} ones (by namespace, counted
     * among their requests).
     */
    Map<String, EnforcePreview> read(Queries store, Map<String, Long> allowed) throws SQLException {
        Map<String, Long> requests = store.query(
                "SELECT namespace, COUNT(*) FROM (SELECT DISTINCT namespace, uid FROM admission_decision WHERE "
                        + window() + ") t GROUP BY namespace",
                s -> {
                    bindWindows(s, 1);
                    return counts(s);
                });
        Map<String, Long> rejected = store.query(
                "SELECT namespace, COUNT(*) FROM (SELECT DISTINCT namespace, uid FROM admission_decision WHERE "
                        + window() + " AND " + rejected() + ") t GROUP BY namespace",
                s -> {
                    bindWindows(s, 2);
                    return counts(s);
                });
        Map<String, Map<String, Map<String, Long>>> byCheck = store.query(
                "SELECT namespace, check_id, " + WORKLOAD + ", COUNT(*) FROM admission_decision WHERE " + window()
                        + " AND " + rejected() + " GROUP BY namespace, check_id, " + WORKLOAD,
                s -> {
                    bindWindows(s, 2);
                    Map<String, Map<String, Map<String, Long>>> out = new TreeMap<>();
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                                    .computeIfAbsent(rs.getString(2), k -> new TreeMap<>())
                                    .put(rs.getString(3), rs.getLong(4));
                        }
                    }
                    return out;
                });
        Map<String, SortedMap<String, EnforcePreview.Named>> named = store.query(
                "SELECT namespace, check_id, workload, kind, COUNT(*), MIN(name" + collateC + ") FROM (SELECT DISTINCT"
                        + " namespace, check_id, " + WORKLOAD + " AS workload, LOWER(kind) AS kind, name FROM"
                        + " admission_decision WHERE " + window() + " AND " + rejected() + ") t"
                        + " GROUP BY namespace, check_id, workload, kind",
                s -> {
                    bindWindows(s, 2);
                    Map<String, SortedMap<String, EnforcePreview.Named>> out = new TreeMap<>();
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                                    .put(
                                            EnforcePreview.namedKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                                            new EnforcePreview.Named(rs.getLong(5), rs.getString(6)));
                        }
                    }
                    return out;
                });
        Map<String, EnforcePreview> out = new TreeMap<>();
        java.util.Set<String> namespaces = new java.util.TreeSet<>(requests.keySet());
        allowed.forEach((ns, n) -> {
            if (n > 0 && (namespace == null || namespace.equals(ns))) {
                namespaces.add(ns);
            }
        });
        for (String ns : namespaces) {
            out.put(
                    ns,
                    EnforcePreview.of(
                            requests.getOrDefault(ns, 0L) + allowed.getOrDefault(ns, 0L),
                            rejected.getOrDefault(ns, 0L),
                            byCheck.getOrDefault(ns, Map.of()),
                            named.getOrDefault(ns, new TreeMap<>())));
        }
        return out;
    }

    private static Map<String, Long> counts(PreparedStatement s) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }
}
