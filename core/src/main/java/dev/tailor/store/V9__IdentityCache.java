package dev.tailor.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The aggregate tables' ids reserved 1,000 at a time on H2. H2 writes an identity column's sequence into its file —
 * a commit of the whole store — each time the values it reserved run out, by default every 32: on a large cluster
 * one new aggregate in 32 paid for a store commit, and storing syscall records (one aggregate per few records) spent
 * a third of its time there. A kill loses at most the ids reserved, never a row. PostgreSQL logs its sequences
 * cheaply and keeps its default (a cache there is per session and would only leave gaps).
 */
public final class V9__IdentityCache extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        if (!c.getMetaData().getDatabaseProductName().equals("H2")) {
            return;
        }
        try (Statement s = c.createStatement()) {
            for (String table : java.util.List.of("api_access", "network_flow", "syscall_use", "pod_identity")) {
                s.execute("ALTER TABLE " + table + " ALTER COLUMN id SET CACHE 1000");
            }
        }
    }
}
