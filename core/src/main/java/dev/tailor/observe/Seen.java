package dev.tailor.observe;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.SortedSet;
import java.util.TreeSet;

/** How often something was observed: first and last time, count, and the (UTC) days on which it was seen. */
public final class Seen {
    private Instant first;
    private Instant last;
    private long count;
    private final TreeSet<LocalDate> days = new TreeSet<>();

    public void add(Instant at) {
        first = first == null || at.isBefore(first) ? at : first;
        last = last == null || at.isAfter(last) ? at : last;
        count++;
        days.add(LocalDate.ofInstant(at, ZoneOffset.UTC));
    }

    public Instant first() {
        return first;
    }

    public Instant last() {
        return last;
    }

    public long count() {
        return count;
    }

    public SortedSet<LocalDate> days() {
        return java.util.Collections.unmodifiableSortedSet(days);
    }
}
