package dev.tailor.store;

import dev.tailor.util.FingerprintSet;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Moves the keys of {@code ingested_event} (one row per event: twelve hex digits of the event's time in
 * milliseconds, a colon, the event's key) into fingerprint blocks, one per source and minute, and drops the table:
 * a store filled before still counts nothing twice when the same input is read again. (A key longer than 115
 * characters was stored as its SHA-256 digest; such an event — a listed pod with a very long name — may count
 * once more when read again.)
 */
public final class V7__IngestedBlocks extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        String source = null;
        long minute = Long.MIN_VALUE;
        FingerprintSet block = new FingerprintSet();
        long[] fingerprint = new long[2];
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT source, event_key FROM ingested_event ORDER BY source, event_key")) {
            while (rs.next()) {
                String stored = rs.getString(2);
                boolean timed = stored.length() > 13 && stored.charAt(12) == ':';
                long eventMinute = timed ? SeenEvents.minuteOf(Long.parseLong(stored.substring(0, 12), 16)) : 0;
                String key = timed ? stored.substring(13) : stored;
                if (!rs.getString(1).equals(source) || eventMinute != minute) {
                    write(c, source, minute, block);
                    source = rs.getString(1);
                    minute = eventMinute;
                    block = new FingerprintSet();
                }
                dev.tailor.observe.Keys.fingerprint(key, fingerprint, 0);
                block.add(fingerprint[0], fingerprint[1]);
            }
        }
        write(c, source, minute, block);
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE ingested_event");
        }
    }

    private static void write(Connection c, String source, long minute, FingerprintSet block) throws SQLException {
        if (source == null || block.size() == 0) {
            return;
        }
        // Shared: the safe way on either database (a migration runs once).
        try (SeenEvents.MinuteRows rows = new SeenEvents.MinuteRows(c, true, source)) {
            int stored =
                    rows.lock(new java.util.TreeSet<>(java.util.Set.of(minute))).get(minute);
            rows.addBlock(minute, stored, false, block.toBytes());
            rows.writeBlocks();
        }
    }
}
