package dev.tailor.util;

import java.nio.ByteBuffer;

/**
 * A set of 128-bit fingerprints (two longs each) in open addressing, at most half full: 32 to 64 bytes a fingerprint
 * ({@link #bytes}), where a {@code HashSet} of objects would take about 80. (0, 0) marks an empty slot; {@link
 * dev.tailor.observe.Keys#fingerprint} never returns it.
 */
public final class FingerprintSet {
    private long[] slots;
    private int size;

    public FingerprintSet() {
        this(8);
    }

    /** A set that takes {@code expected} fingerprints without growing. */
    public FingerprintSet(int expected) {
        slots = new long[2 * Math.max(16, Integer.highestOneBit(Math.max(1, 2 * expected - 1)) << 1)];
    }

    public int size() {
        return size;
    }

    /** The heap the set takes: its table and itself (while it grows, the old table too, for a moment). */
    public long bytes() {
        return 40 + 8L * slots.length;
    }

    public boolean contains(long hi, long lo) {
        return !empty(slotOf(hi, lo));
    }

    /** Adds a fingerprint; false when it was there. */
    public boolean add(long hi, long lo) {
        if (2 * (size + 1) > slots.length / 2) {
            grow();
        }
        int i = slotOf(hi, lo);
        if (!empty(i)) {
            return false;
        }
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        size++;
        return true;
    }

    /** The slot that holds the fingerprint, or the empty one where it would go. */
    private int slotOf(long hi, long lo) {
        int mask = slots.length / 2 - 1;
        int i = spread(hi, lo) & mask;
        while (!empty(i) && (slots[2 * i] != hi || slots[2 * i + 1] != lo)) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private boolean empty(int slot) {
        return slots[2 * slot] == 0 && slots[2 * slot + 1] == 0;
    }

    public interface PairConsumer {
        void accept(long hi, long lo);
    }

    public void forEach(PairConsumer consumer) {
        for (int i = 0; i < slots.length; i += 2) {
            if (slots[i] != 0 || slots[i + 1] != 0) {
                consumer.accept(slots[i], slots[i + 1]);
            }
        }
    }

    /** The fingerprints as a block: 16 bytes each, big-endian. */
    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(16 * size);
        forEach((hi, lo) -> out.putLong(hi).putLong(lo));
        return out.array();
    }

    /** Adds every fingerprint of {@code other}, growing (once) first if need be. */
    public void addAll(FingerprintSet other) {
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
