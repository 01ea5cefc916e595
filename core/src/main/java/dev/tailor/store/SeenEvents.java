package dev.tailor.store;

import dev.tailor.observe.Keys;
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
 * the batch is checked. The cache learns a batch's fingerprints only after its commit.
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

    <S extends Sighting<?>> Marked<S> mark(Connection connection, String source, List<S> batch) throws SQLException {
        // By minute, ascending: the order in which minute rows are locked. Events come mostly in time order, so
        // the map is looked up only when the minute changes.
        Map<Long, Indices> byMinute = new TreeMap<>();
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
        for (var entry : byMinute.entrySet()) {
            long minute = entry.getKey();
            String cacheKey = source + "@" + minute;
            int stored = lockMinute(connection, source, minute);
            Minute known = load(connection, cacheKey, source, minute, stored);
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
            addBlock(connection, source, minute, stored, added.toBytes());
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

    /** Adds block {@code blockNo} of a minute whose row is locked (it has {@code blockNo} blocks so far). */
    static void addBlock(Connection connection, String source, long minute, int blockNo, byte[] fingerprints)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO ingested_block (source, event_minute, block_no, fingerprints) VALUES (?, ?, ?, ?)");
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE ingested_minute SET blocks = ? WHERE source = ? AND event_minute = ?")) {
            insert.setString(1, source);
            insert.setLong(2, minute);
            insert.setInt(3, blockNo);
            insert.setBytes(4, fingerprints);
            insert.executeUpdate();
            update.setInt(1, blockNo + 1);
            update.setString(2, source);
            update.setLong(3, minute);
            update.executeUpdate();
        }
    }

    /** Creates the minute's row if need be, locks it for this transaction and returns how many blocks it has. */
    static int lockMinute(Connection connection, String source, long minute) throws SQLException {
        try (PreparedStatement create = connection.prepareStatement(
                        "INSERT INTO ingested_minute (source, event_minute, blocks) VALUES (?, ?, 0) ON CONFLICT DO NOTHING");
                PreparedStatement lock = connection.prepareStatement(
                        "SELECT blocks FROM ingested_minute WHERE source = ? AND event_minute = ? FOR UPDATE")) {
            create.setString(1, source);
            create.setLong(2, minute);
            create.executeUpdate();
            lock.setString(1, source);
            lock.setLong(2, minute);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The minute's fingerprints up to its {@code stored} blocks: from the cache, reading only the blocks it lacks. */
    private Minute load(Connection connection, String cacheKey, String source, long minute, int stored)
            throws SQLException {
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
            try (PreparedStatement read = connection.prepareStatement(
                    "SELECT block_no, fingerprints FROM ingested_block"
                            + " WHERE source = ? AND event_minute = ? AND block_no >= ? AND block_no < ? ORDER BY block_no")) {
                read.setString(1, source);
                read.setLong(2, minute);
                read.setInt(3, h.blocks);
                read.setInt(4, stored);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        ByteBuffer block = ByteBuffer.wrap(rs.getBytes(2));
                        long before = h.seen.size();
                        while (block.remaining() >= 16) {
                            h.seen.add(block.getLong(), block.getLong());
                        }
                        cached += h.seen.size() - before;
                    }
                }
            }
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

    /**
     * A set of 128-bit fingerprints (two longs each) in open addressing: 32 bytes a fingerprint at most, where a
     * {@code HashSet} of objects would take about 80. (0, 0) marks an empty slot; {@link Keys#fingerprint} never
     * returns it.
     */
    static final class FingerprintSet {
        private long[] slots;
        private int size;

        FingerprintSet() {
            this(8);
        }

        /** A set that takes {@code expected} fingerprints without growing. */
        FingerprintSet(int expected) {
            slots = new long[2 * Math.max(16, Integer.highestOneBit(Math.max(1, 2 * expected - 1)) << 1)];
        }

        int size() {
            return size;
        }

        boolean contains(long hi, long lo) {
            int mask = slots.length / 2 - 1;
            for (int i = spread(hi, lo) & mask; ; i = (i + 1) & mask) {
                long h = slots[2 * i];
                long l = slots[2 * i + 1];
                if (h == hi && l == lo) {
                    return true;
                }
                if (h == 0 && l == 0) {
                    return false;
                }
            }
        }

        /** Adds a fingerprint; false when it was there. */
        boolean add(long hi, long lo) {
            if (2 * (size + 1) > slots.length / 2) {
                grow();
            }
            int mask = slots.length / 2 - 1;
            for (int i = spread(hi, lo) & mask; ; i = (i + 1) & mask) {
                long h = slots[2 * i];
                long l = slots[2 * i + 1];
                if (h == hi && l == lo) {
                    return false;
                }
                if (h == 0 && l == 0) {
                    slots[2 * i] = hi;
                    slots[2 * i + 1] = lo;
                    size++;
                    return true;
                }
            }
        }

        interface PairConsumer {
            void accept(long hi, long lo);
        }

        void forEach(PairConsumer consumer) {
            for (int i = 0; i < slots.length; i += 2) {
                if (slots[i] != 0 || slots[i + 1] != 0) {
                    consumer.accept(slots[i], slots[i + 1]);
                }
            }
        }

        /** The fingerprints as a block: 16 bytes each, big-endian. */
        byte[] toBytes() {
            ByteBuffer out = ByteBuffer.allocate(16 * size);
            forEach((hi, lo) -> out.putLong(hi).putLong(lo));
            return out.array();
        }

        /** Adds every fingerprint of {@code other}, growing (once) first if need be. */
        void addAll(FingerprintSet other) {
            int length = slots.length;
            while (2 * (size + other.size) > length / 2) {
                length *= 2;
            }
            if (length != slots.length) {
                rehash(length);
            }
            other.forEach(this::add);
        }

        private void grow() {
            rehash(slots.length * 2);
        }

        private void rehash(int length) {
            long[] old = slots;
            slots = new long[length];
            size = 0;
            for (int i = 0; i < old.length; i += 2) {
                if (old[i] != 0 || old[i + 1] != 0) {
                    add(old[i], old[i + 1]);
                }
            }
        }

        private static int spread(long hi, long lo) {
            // The fingerprints are hash values already: their low bits are as good as any.
            return (int) (lo ^ (lo >>> 32) ^ hi);
        }
    }
}
