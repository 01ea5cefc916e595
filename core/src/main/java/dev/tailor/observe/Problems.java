package dev.tailor.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What was wrong with the input, located: the first {@link #SHOWN} problems in full (file, line, reason), every
 * problem counted by reason. A problem never aborts a run and its line never reaches the store.
 */
public final class Problems {

    public static final int SHOWN = 10;

    /** The most of a reason kept: it may quote a value from the input, of any length. */
    static final int REASON_CHARS = 400;

    /** One bad line: {@code audit.log:1042: not JSON (Unexpected end-of-input)}. */
    public record Problem(String file, long line, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + reason;
        }
    }

    private final List<Problem> first = new ArrayList<>();
    private final Map<String, Long> byReason = new TreeMap<>();
    private long total;

    /** Records a problem; {@code kind} groups it in the counts ("not JSON"), {@code reason} says it in full. */
    public synchronized void add(String file, long line, String kind, String reason) {
        total++;
        byReason.merge(kind, 1L, Long::sum);
        if (first.size() < SHOWN) {
            first.add(new Problem(
                    file, line, reason.length() > REASON_CHARS ? reason.substring(0, REASON_CHARS) + "…" : reason));
        }
    }

    /**
     * Adds what a part of a file had (read on a thread of its own, its lines numbered from the part's start), its
     * lines moved on by {@code lineOffset}: the lines of the file before the part. Merged in the parts' order, the
     * first problems shown are the file's first.
     */
    public synchronized void addAll(Problems part, long lineOffset) {
        for (Problem p : part.first()) {
            if (first.size() < SHOWN) {
                first.add(new Problem(p.file(), p.line() + lineOffset, p.reason()));
            }
        }
        part.byReason().forEach((kind, n) -> byReason.merge(kind, n, Long::sum));
        total += part.total();
    }

    public synchronized long total() {
        return total;
    }

    public synchronized List<Problem> first() {
        return List.copyOf(first);
    }

    public synchronized Map<String, Long> byReason() {
        return Map.copyOf(byReason);
    }
}
