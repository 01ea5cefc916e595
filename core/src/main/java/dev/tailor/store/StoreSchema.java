package dev.tailor.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The store's schema: its migrations (Flyway, db/migration and the Java ones), whether a store is at the latest
 * version already, and migrating an embedded store beside itself so that a kill never leaves it half migrated.
 */
final class StoreSchema {

    private StoreSchema() {}

    /** The file of an embedded H2 store ({@code jdbc:h2:file:PATH…} → {@code PATH.mv.db}), or null for another URL. */
    static Path h2File(String url) {
        if (!url.startsWith("jdbc:h2:file:")) {
            return null;
        }
        String path = url.substring("jdbc:h2:file:".length());
        int settings = path.indexOf(';');
        return Path.of((settings < 0 ? path : path.substring(0, settings)) + ".mv.db");
    }

    /**
     * Migrates an embedded store so that a kill at any moment leaves it whole: H2 commits each DDL statement on its own,
     * so a migration stopped half-way left a store every later open refused ("Table … already exists"). The store
     * (or, for a new one, nothing) is copied to {@code .NAME.migrating.mv.db} beside it, the copy migrated and closed,
     * then moved over the store in one rename. A copy left by a kill is removed by the next open.
     */
    static void migrateBeside(String url, Path file) throws SQLException {
        String name = file.getFileName().toString();
        String base = name.substring(0, name.length() - ".mv.db".length());
        Path work = file.resolveSibling("." + base + ".migrating.mv.db");
        String workPath = work.toString().substring(0, work.toString().length() - ".mv.db".length());
        String workUrl =
                "jdbc:h2:file:" + workPath + url.substring(url.indexOf(';') < 0 ? url.length() : url.indexOf(';'));
        try {
            Files.deleteIfExists(work);
            Files.deleteIfExists(work.resolveSibling("." + base + ".migrating.trace.db"));
            if (Files.exists(file)) {
                Files.copy(file, work);
            }
            migrations(workUrl).load().migrate();
            try (Connection c = ObservationStore.connect(workUrl);
                    Statement s = c.createStatement()) {
                s.execute("SHUTDOWN"); // the file closed and complete before it is moved
            }
            Files.move(
                    work,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new SQLException("the store " + file + " could not be migrated beside itself: " + e, e);
        }
    }

    /** Whether this is the only connection to an embedded database (another in this JVM would see the file moved). */
    static boolean onlySession(Connection connection) {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.sessions")) {
            return rs.next() && rs.getLong(1) == 1;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * A schema version the store has applied that this Tailor does not know (a newer Tailor's migration), or null.
     * Flyway itself would ignore such "future" migrations and write on.
     */
    static String newerVersion(Connection connection) {
        String newer = null;
        for (Applied a : history(connection)) {
            if (a.version() != null && !SCHEMA_VERSIONS.contains(a.version())) {
                newer = a.version();
            }
        }
        return newer;
    }

    /** One row of Flyway's history: the version (null for Flyway's own notes), whether it succeeded, its type. */
    private record Applied(String version, boolean success, String type) {}

    /** Flyway's history in the connection's current schema, in order; empty when there is none or it cannot be read. */
    private static List<Applied> history(Connection connection) {
        String schema = historySchema(connection);
        if (schema == null) {
            return List.of();
        }
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT version, success, type FROM \"" + schema.replace("\"", "\"\"")
                        + "\".flyway_schema_history ORDER BY installed_rank")) {
            List<Applied> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Applied(rs.getString(1), rs.getBoolean(2), rs.getString(3)));
            }
            return out;
        } catch (SQLException e) {
            return List.of(); // Flyway will say what is wrong
        }
    }

    /** Flyway, set to migrate the store at {@code url} with the store's migrations. */
    static FluentConfiguration migrations(String url) {
        return Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .javaMigrations(
                        new V7__IngestedBlocks(),
                        new V8__PodLabelsInFull(),
                        new V9__IdentityCache(),
                        new V16__AllowedRequestsCounted());
    }

    /**
     * The schema versions the store's migrations make (db/migration's SQL files and the Java ones), in the order they
     * apply. ObservationStoreTest compares it with what Flyway finds: a migration added without its version here
     * fails the suite.
     */
    static final List<String> SCHEMA_VERSIONS =
            List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16");

    /**
     * Whether the store's schema is at the latest version already: every migration of {@link #SCHEMA_VERSIONS}
     * applied, successfully, in order, and no other. Flyway then has nothing to do and is not started — configuring
     * it, scanning the class path for migrations and checking each applied one took a third of a second (half a
     * second of CPU) of every command on an existing store. A new store, one a migration behind, one where a
     * migration failed or one a newer Tailor migrated further is Flyway's to handle, as before. What is skipped is
     * Flyway's check that an applied migration was not edited since; ObservationStoreTest pins the released
     * migrations' checksums instead, so that none is edited.
     */
    static boolean schemaCurrent(Connection connection) {
        List<Applied> history = history(connection);
        List<String> applied = new ArrayList<>();
        for (Applied a : history) {
            if (!a.success()) {
                return false;
            }
            if (a.version() == null) {
                continue; // Flyway's note that it made the history table (or a schema): no migration
            }
            if (!List.of("SQL", "JDBC").contains(a.type())) {
                return false; // a baseline, say: Flyway's to judge
            }
            applied.add(a.version());
        }
        // No history (or none readable) is no current schema: Flyway will make it, or say what is wrong.
        return !history.isEmpty() && applied.equals(SCHEMA_VERSIONS);
    }

    /**
     * Whether Flyway's history table is in the connection's current schema — the one Flyway migrates — not wherever
     * PostgreSQL's search path finds a table of that name. Looked up, not queried and failed: H2 writes every failed
     * statement to a .trace.db file beside the store.
     */
    static boolean hasHistory(Connection connection) {
        return historySchema(connection) != null;
    }

    /** The connection's current schema when Flyway's history table is in it ({@link #hasHistory}), else null. */
    private static String historySchema(Connection connection) {
        try {
            String schema = connection.getSchema();
            if (schema == null) {
                return null; // no current schema (PostgreSQL's search_path names none that exists): Flyway will say so
            }
            try (PreparedStatement exists = connection.prepareStatement("SELECT COUNT(*) FROM information_schema.tables"
                    + " WHERE table_schema = ? AND table_name = 'flyway_schema_history'")) {
                exists.setString(1, schema);
                try (ResultSet rs = exists.executeQuery()) {
                    return rs.next() && rs.getInt(1) > 0 ? schema : null;
                }
            }
        } catch (SQLException e) {
            return null;
        }
    }
}
