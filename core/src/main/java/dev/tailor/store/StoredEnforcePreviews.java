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
 * The enforce previews of a store's window counted with the database's help: what {@link EnforcePreview.Tally} counts
 * from the lines, in two queries counted as they come, a row at a time: each namespace's lines in time order, read
 * from its index, whose requests are told apart as a tally does ({@link EnforcePreview.Requests}); and the lines
 * counted as rejections in order of their check, workload, kind and name, which the database sorts — beyond its
 * memory, onto its disk (PostgreSQL and H2 alike) — of which a check's most rejected workloads and the first examples
 * are kept. A tally keeps each check's count by workload in the heap instead: 400,000 bare pods broke a 96 MiB heap,
 * the webhook's, and so did this class's counts when it kept every workload and example. Slower than a tally, so only
 * for a window a tally would not hold. {@code ObservationStoreTest} holds the two to the same previews.
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

    private static void counted(
            String ns, EnforcePreview.Requests its, Map<String, Long> requests, Map<String, Long> rejected) {
        if (ns != null) {
            requests.put(ns, its.requests());
            rejected.put(ns, its.rejected());
        }
    }

    /**
     * The previews of the namespaces with requests in the window, or with {@code allowed} ones (by namespace, counted
     * among their requests).
     */
    Map<String, EnforcePreview> read(Queries store, Map<String, Long> allowed) throws SQLException {
        // Each namespace's lines in time order, as its index (namespace, time) holds them: its requests told apart
        // by the last while's UIDs (EnforcePreview.Requests), as a tally does.
        Map<String, Long> requests = new TreeMap<>();
        Map<String, Long> rejected = new TreeMap<>();
        store.query(
                "SELECT namespace, uid, decided_at, CASE WHEN " + rejected() + " THEN 1 ELSE 0 END AS rejected"
                        + " FROM admission_decision WHERE " + window() + " ORDER BY namespace, decided_at",
                s -> {
                    bindWindows(s, 2);
                    s.setFetchSize(1000);
                    String counting = null;
                    EnforcePreview.Requests its = null;
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            String ns = rs.getString(1);
                            if (!ns.equals(counting)) {
                                counted(counting, its, requests, rejected);
                                counting = ns;
                                its = new EnforcePreview.Requests();
                            }
                            its.add(rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getInt(4) == 1);
                        }
                    }
                    counted(counting, its, requests, rejected);
                    return null;
                });
        // The lines counted as rejections, in order of what they are counted under, each key's names in Java's order:
        // each workload's count is whole when the next begins, and the first keys' objects when the next key begins —
        // what is kept is a check's most rejected workloads and the first keys, whatever the window's size.
        Map<String, Map<String, EnforcePreview.ByWorkload>> byCheck = new TreeMap<>();
        Map<String, SortedMap<String, EnforcePreview.Named>> named = new TreeMap<>();
        store.query(
                "SELECT namespace, check_id, " + WORKLOAD + " AS workload, LOWER(kind) AS kind, name FROM"
                        + " admission_decision WHERE " + window() + " AND " + rejected()
                        + " ORDER BY namespace, check_id, workload, kind, name" + collateC,
                s -> {
                    bindWindows(s, 2);
                    s.setFetchSize(1000);
                    String lastWorkload = null; // namespace, check and workload
                    EnforcePreview.ByWorkload counted = null;
                    String counting = null;
                    long count = 0;
                    String lastKey = null;
                    String lastName = null;
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            String ns = rs.getString(1);
                            String check = rs.getString(2);
                            String workload = rs.getString(3);
                            String name = rs.getString(5);
                            String nsWorkload = ns + "\u0000" + check + "\u0000" + workload;
                            if (!nsWorkload.equals(lastWorkload)) {
                                if (counted != null) {
                                    counted.add(counting, count);
                                }
                                counted = byCheck.computeIfAbsent(ns, k -> new TreeMap<>())
                                        .computeIfAbsent(check, k -> new EnforcePreview.ByWorkload());
                                counting = workload;
                                count = 0;
                                lastWorkload = nsWorkload;
                            }
                            count++;
                            String key = EnforcePreview.namedKey(check, workload, rs.getString(4));
                            String nsKey = ns + "\u0000" + key;
                            SortedMap<String, EnforcePreview.Named> keys =
                                    named.computeIfAbsent(ns, k -> new TreeMap<>());
                            if (!nsKey.equals(lastKey)) {
                                if (keys.size() < EnforcePreview.EXAMPLES) {
                                    keys.put(key, new EnforcePreview.Named(1, name));
                                }
                            } else if (!name.equals(lastName)) {
                                keys.computeIfPresent(
                                        key, (k, n) -> new EnforcePreview.Named(n.objects() + 1, n.first()));
                            }
                            lastKey = nsKey;
                            lastName = name;
                        }
                    }
                    if (counted != null) {
                        counted.add(counting, count);
                    }
                    return null;
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
}
