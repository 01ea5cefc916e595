package dev.tailor.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * A pod's labels stored in full: Kubernetes bounds each label (key 317, value 63 characters) but not how many a pod
 * has, and a pod with more than 8 KB of them used to fail every later write of the admission stream. {@code labels}
 * becomes as long as an object can be; the unique key holds its SHA-256 ({@code labels_digest}) instead, so the key
 * stays within an index's row limit.
 */
public final class V8__PodLabelsInFull extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE pod_identity ADD COLUMN labels_digest VARCHAR(64)");
        }
        Map<Long, String> digests = new LinkedHashMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, labels FROM pod_identity")) {
            while (rs.next()) {
                digests.put(rs.getLong(1), ObservationStore.labelsDigest(rs.getString(2)));
            }
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE pod_identity SET labels_digest = ? WHERE id = ?")) {
            for (var e : digests.entrySet()) {
                update.setString(1, e.getValue());
                update.setLong(2, e.getKey());
                update.addBatch();
            }
            update.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE pod_identity DROP CONSTRAINT pod_identity_key");
            s.execute("ALTER TABLE pod_identity ALTER COLUMN labels TYPE VARCHAR(1000000)");
            s.execute("ALTER TABLE pod_identity ALTER COLUMN labels_digest SET NOT NULL");
            s.execute("ALTER TABLE pod_identity ADD CONSTRAINT pod_identity_key UNIQUE (namespace, pod, workload_kind,"
                    + " workload_name, service_account, labels_digest)");
        }
    }
}
