package dev.tailor.store;

import dev.tailor.observe.admission.AllowedRequests;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Moves the decision-log lines of requests allowed with no check against them, stored one row each in {@code
 * admission_decision} before V15, into {@code admission_allowed}'s counts, and deletes them. Each request's UID is
 * marked among the events of source {@code allowed}, as a line stored now is: the same line read again counts
 * nothing. On H2, {@code admission_allowed}'s ids are reserved 1,000 at a time, as V9 does for the other aggregates.
 */
public final class V16__AllowedRequestsCounted extends BaseJavaMigration {

    /** Rows moved a batch at a time: the memory of a batch, whatever the table's length. */
    static final int BATCH = 10_000;

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        boolean postgres = !c.getMetaData().getDatabaseProductName().equals("H2");
        if (!postgres) {
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE admission_allowed ALTER COLUMN id SET CACHE 1000");
            }
        }
        SeenEvents seen = new SeenEvents();
        List<Sighting<AllowedRequests>> batch = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.setFetchSize(BATCH); // PostgreSQL reads a result whole otherwise
            try (ResultSet rs = s.executeQuery("SELECT uid, decided_at, namespace, workload, kind, operation, mode"
                    + " FROM admission_decision WHERE verdict = 'allowed' AND check_id = ''")) {
                while (rs.next()) {
                    batch.add(Sighting.of(
                            rs.getString(1),
                            rs.getTimestamp(2).toInstant(),
                            new AllowedRequests(
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getString(6),
                                    rs.getString(7))));
                    if (batch.size() == BATCH) {
                        add(c, postgres, seen, batch);
                        batch = new ArrayList<>();
                    }
                }
            }
            add(c, postgres, seen, batch);
            s.executeUpdate("DELETE FROM admission_decision WHERE verdict = 'allowed' AND check_id = ''");
        }
    }

    private static void add(Connection c, boolean postgres, SeenEvents seen, List<Sighting<AllowedRequests>> batch)
            throws SQLException {
        if (!batch.isEmpty()) {
            SeenEvents.Marked<Sighting<AllowedRequests>> marked =
                    seen.mark(c, postgres, ObservationStore.ALLOWED_SOURCE, batch);
            AggregateTable.ADMISSION_ALLOWED.add(c, postgres, marked.fresh());
            marked.afterCommit().run();
        }
    }
}
