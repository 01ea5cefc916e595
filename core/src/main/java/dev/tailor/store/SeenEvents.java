package dev.tailor.store;

import dev.tailor.observe.Keys;
import dev.tailor.util.FingerprintSet;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which events are already stored, so that ingesting the same input again counts nothing twice.
 *
 * <p>An event is remembered by the 128-bit fingerprint of its key ({@link Keys#fingerprint}), filed under its
 * source and the minute of its time: each batch adds one block of fingerprints per minute it touches (16 bytes an
 * event, one row a block). One row per event — what this replaced — capped ingest at the database's row rate
 * (about 100,000 rows/s for H2 here, under half the goal). Minutes, not hours: a busy cluster's minute of audit
 * events (some 25,000) or of flows fits in memory many times over, where an hour might not.
 *
 * <p>The minutes in use are cached as hash sets, least recently used first out, up to a number of fingerprints
 * that follows the heap (one per 512 bytes of it: 2^20 — 32 to 64 MiB — under {@code -Xmx512m}, fewer in the
 * webhook); a minute not cached is read back from its blocks. Several writers (the webhook's replicas on
 * PostgreSQL) stay correct: the minute's row in {@code ingested_minute} is locked for the transaction (minutes in
 * ascending order, so two writers never wait on each other), and blocks another writer added since are read before
 * the batch is checked. An embedded H2 store has one writer (its file is locked) and takes no row locks, which H2
 * would write into the store as changes. The cache learns a batch's fingerprints only after its commit.
 */
final class SeenEvents {

    private static final long MINUTE_MILLIS = 60_000L;
    private static final long CACHED_FINGERPRINTS =
            Math.max(1 << 16, Math.min(1 << 20, Runtime.getRuntime().maxMemory() / 512));

    /** A minute's fingerprints as far as they have been read: blocks 0 … blocks - 1. */
    private static final class Minute {
        final FingerprintSet seen = new FingerprintSet();
        int blocks;
    }

    /** The events of a batch not stored before, and what the cache learns once the batch is committed. */
    record Marked<E>(List<E> fresh, Runnable afterCommit) {}

    private final Map<String, Minute> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long cached;

    /**
     * Marks a batch's events as stored in this transaction, and returns those not stored before. {@code shared}: other
     * processes may write the same store at the same time (PostgreSQL); an embedded H2 store's file is this
     * process's alone.
     */
    <S extends Sighting<?>> Marked<S> mark(Connection connection, boolean shared, String source, List<S> batch)
            throws SQLException {
        // By minute, ascending: the order in which minute rows are locked. Events come mostly in time order, so
        // the map is looked up only when the minute changes.
        TreeMap<Long, Indices> byMinute = new TreeMap<>();
        long[] fingerprints = new long[batch.size() * 2];
        long lastMinute = 0;
        Indices last = null;
        for (int i = 0; i < batch.size(); i++) {
            S e = batch.get(i);
            fingerprints[2 * i] = e.fingerprintHigh();
            fingerprints[2 * i + 1] = e.fingerprintLow();
            long minute = minuteOf(e.time().toEpochMilli());
            if (last == null || minute != lastMinute) {
                last = byMinute.computeIfAbsent(minute, m -> new Indices());
                lastMinute = minute;
            }
            last.add(i);
        }
        boolean[] isFresh = new boolean[batch.size()];
        List<Runnable> updates = new ArrayList<>();
        try (MinuteRows rows = new MinuteRows(connection, shared, source)) {
            Map<Long, Integer> storedBlocks = rows.lock(byMinute.navigableKeySet());
            for (var entry : byMinute.entrySet()) {
                long minute = entry.getKey();
                String cacheKey = source + "@" + minute;
                Integer had = storedBlocks.get(minute);
                int stored = had == null ? 0 : had;
                Minute known = load(rows, cacheKey, minute, stored);
                Indices events = entry.getValue();
                FingerprintSet added = new FingerprintSet(events.size);
                for (int k = 0; k < events.size; k++) {
                    int i = events.at[k];
                    long hi = fingerprints[2 * i];
                    long lo = fingerprints[2 * i + 1];
                    if (!known.seen.contains(hi, lo) && added.add(hi, lo)) {
                        isFresh[i] = true;
                    }
                }
                if (added.size() == 0) {
                    continue;
                }
                rows.addBlock(minute, stored, had == null, added.toBytes());
                updates.add(() -> {
                    Minute h = cache.get(cacheKey);
                    if (h != null && h.blocks == stored) {
                        h.seen.addAll(added);
                        h.blocks = stored + 1;
                        cached += added.size();
                        evict(h);
                    }
                });
            }
            rows.writeBlocks();
        }
        List<S> fresh = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (isFresh[i]) {
                fresh.add(batch.get(i));
            }
        }
        return new Marked<>(fresh, () -> updates.forEach(Runnable::run));
    }

    /** Indices of a batch's events, in order. */
    private static final class Indices {
        int[] at = new int[16];
        int size;

        void add(int i) {
            if (size == at.length) {
                at = java.util.Arrays.copyOf(at, 2 * size);
            }
            at[size++] = i;
        }
    }

    /** The minute an event time falls in: minutes since 1970-01-01T00:00Z, what fingerprints are filed under. */
    static long minuteOf(long epochMillis) {
        return Math.floorDiv(epochMillis, MINUTE_MILLIS);
    }

    /**
     * The statements a batch runs on one source's rows of {@code ingested_minute} and {@code ingested_block}, each
     * prepared once per batch: a batch of a sparse source (syscall records, a few a minute) touches every minute of
     * the days it covers, and preparing five statements per minute cost more than the rows themselves.
     */
    static final class MinuteRows implements AutoCloseable {
        private static final String NEW_MINUTE =
                "INSERT INTO ingested_minute (source, event_minute, blocks) VALUES (?, ?, 1)";
        private static final String COUNT_BLOCKS =
                "UPDATE ingested_minute SET blocks = ? WHERE source = ? AND event_minute = ?";
        private static final String ADD_BLOCK =
                "INSERT INTO ingested_block (source, event_minute, block_no, fingerprints) VALUES (?, ?, ?, ?)";

        private final PreparedStatements statements;
        private final boolean shared;
        private final String source;
        private final java.util.Set<String> pending = new java.util.HashSet<>();

        MinuteRows(Connection connection, boolean shared, String source) {
            this.statements = new PreparedStatements(connection);
            this.shared = shared;
            this.source = source;
        }

        /**
         * How many blocks each of these minutes has, for the minutes that have a row. Shared, the rows are first
         * created where missing and locked for this transaction — with every row between the first and the last, in
         * ascending order, so that two writers never wait on each other in a circle; alone, a minute without a row
         * gets one with its first block (H2 would write each lock into the store as a change of the row).
         */
        Map<Long, Integer> lock(java.util.SortedSet<Long> minutes) throws SQLException {
            Map<Long, Integer> blocks = new java.util.HashMap<>();
            if (minutes.isEmpty()) {
                return blocks;
            }
            if (shared) {
                PreparedStatement create = statements.get("INSERT INTO ingested_minute (source, event_minute, blocks)"
                        + " VALUES (?, ?, 0) ON CONFLICT DO NOTHING");
                for (long minute : minutes) {
                    create.setString(1, source);
                    create.setLong(2, minute);
                    create.addBatch();
                }
                create.executeBatch();
            }
            PreparedStatement lock = statements.get("SELECT event_minute, blocks FROM ingested_minute"
                    + " WHERE source = ? AND event_minute BETWEEN ? AND ? ORDER BY event_minute"
                    + (shared ? " FOR UPDATE" : ""));
            lock.setString(1, source);
            lock.setLong(2, minutes.first());
            lock.setLong(3, minutes.last());
            try (ResultSet rs = lock.executeQuery()) {
                while (rs.next()) {
                    blocks.put(rs.getLong(1), rs.getInt(2));
                }
            }
            return blocks;
        }

        /** Reads blocks {@code from} … {@code until - 1} of a minute, each as its 16-byte fingerprints. */
        void readBlocks(long minute, int from, int until, java.util.function.Consumer<ByteBuffer> block)
                throws SQLException {
            PreparedStatement read = statements.get("SELECT block_no, fingerprints FROM ingested_block"
                    + " WHERE source = ? AND event_minute = ? AND block_no >= ? AND block_no < ? ORDER BY block_no");
            read.setString(1, source);
            read.setLong(2, minute);
            read.setInt(3, from);
            read.setInt(4, until);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    block.accept(ByteBuffer.wrap(rs.getBytes(2)));
                }
            }
        }

        /**
         * Adds block {@code blockNo} of a minute that has {@code blockNo} blocks so far and, when {@code newMinute}
         * (alone only), no row yet; written by {@link #writeBlocks}.
         */
        void addBlock(long minute, int blockNo, boolean newMinute, byte[] fingerprints) throws SQLException {
            if (newMinute) {
                queue(NEW_MINUTE, source, minute);
            } else {
                queue(COUNT_BLOCKS, blockNo + 1, source, minute);
            }
            queue(ADD_BLOCK, source, minute, blockNo, fingerprints);
        }

        private void queue(String sql, Object... values) throws SQLException {
            PreparedStatement s = statements.get(sql);
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            s.addBatch();
            pending.add(sql);
        }

        /** Writes the blocks added: new minutes' rows first, then the blocks that refer to them. */
        void writeBlocks() throws SQLException {
            for (String sql : List.of(NEW_MINUTE, COUNT_BLOCKS, ADD_BLOCK)) {
                if (pending.remove(sql)) {
                    statements.get(sql).executeBatch();
                }
            }
        }

        @Override
        public void close() throws SQLException {
            statements.close();
        }
    }

    /** The minute's fingerprints up to its {@code stored} blocks: from the cache, reading only the blocks it lacks. */
    private Minute load(MinuteRows rows, String cacheKey, long minute, int stored) throws SQLException {
        Minute h = cache.get(cacheKey);
        if (h != null && h.blocks > stored) {
            // The store holds fewer blocks than were read (a transaction elsewhere rolled back after this one read
            // it, or the store was replaced): read the minute afresh.
            cached -= h.seen.size();
            cache.remove(cacheKey);
            h = null;
        }
        if (h == null) {
            h = new Minute();
            cache.put(cacheKey, h);
        }
        if (h.blocks < stored) {
            Minute reading = h;
            rows.readBlocks(minute, h.blocks, stored, block -> {
                long before = reading.seen.size();
                while (block.remaining() >= 16) {
                    reading.seen.add(block.getLong(), block.getLong());
                }
                cached += reading.seen.size() - before;
            });
            h.blocks = stored;
            evict(h);
        }
        return h;
    }

    /** Drops the least recently used minutes until the cache is within its size, never {@code inUse}. */
    private void evict(Minute inUse) {
        var it = cache.values().iterator();
        while (cached > CACHED_FINGERPRINTS && it.hasNext()) {
            Minute h = it.next();
            if (h != inUse) {
                cached -= h.seen.size();
                it.remove();
            }
        }
    }

    /**
     * Forgets the events of the minutes before {@code minute}, in the caller's transaction: their fingerprint blocks
     * and minute rows, and what the cache holds of them (the cache reads a minute again whenever it lacks it, so
     * dropping entries before the commit is safe). Returns how many events were forgotten.
     */
    long forgetBefore(Connection connection, long minute) throws SQLException {
        long events;
        try (PreparedStatement count = connection.prepareStatement(
                        "SELECT COALESCE(SUM(OCTET_LENGTH(fingerprints)), 0) FROM ingested_block WHERE event_minute < ?");
                PreparedStatement blocks =
                        connection.prepareStatement("DELETE FROM ingested_block WHERE event_minute < ?");
                PreparedStatement minutes =
                        connection.prepareStatement("DELETE FROM ingested_minute WHERE event_minute < ?")) {
            count.setLong(1, minute);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                events = rs.getLong(1) / 16;
            }
            blocks.setLong(1, minute);
            blocks.executeUpdate();
            minutes.setLong(1, minute);
            minutes.executeUpdate();
        }
        var it = cache.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            String key = e.getKey();
            if (Long.parseLong(key.substring(key.lastIndexOf('@') + 1)) < minute) {
                cached -= e.getValue().seen.size();
                it.remove();
            }
        }
        return events;
    }

    /** How many events of a source are remembered. */
    static long count(Connection connection, String source) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT COALESCE(SUM(OCTET_LENGTH(fingerprints)), 0) FROM ingested_block WHERE source = ?")) {
            s.setString(1, source);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) / 16;
            }
        }
    }
}
