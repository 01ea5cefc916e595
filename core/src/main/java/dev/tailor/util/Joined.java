package dev.tailor.util;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders values by the string they print as — the order Tailor's reports and stores have always had — without
 * building that string: the printed form is given as its parts, and the parts are compared character by character
 * as if they were joined. Sorting a cluster's rows by building two strings per comparison cost most of a preview.
 */
public final class Joined {

    private Joined() {}

    /**
     * A value ordered by its printed form, given as parts (see {@link #compare}) that it hands out one at a time: a
     * comparison allocates nothing (a preview compares rows millions of times, mostly without the JIT's escape
     * analysis to take an array of parts away).
     */
    public interface Ordered<T extends Ordered<T>> extends Comparable<T> {
        /** How many parts the printed form has. */
        int partCount();

        /** The printed form's part {@code i}, from 0; null prints as "null". */
        String part(int i);

        @Override
        default int compareTo(T o) {
            return compare(this, o);
        }
    }

    /**
     * The entries in their keys' order, in a map that iterates in that order: as given when they already are in
     * order (one pass), otherwise sorted with each key's parts joined once — a string compare per step of the sort,
     * not a walk over the parts (nor a tree's rebalancing) per insertion. Keys whose joined parts are equal keep the
     * order they came in.
     */
    public static <K extends Ordered<K>, V> Map<K, V> inOrder(Map<K, V> entries) {
        K last = null;
        boolean ordered = true;
        for (K k : entries.keySet()) {
            if (last != null && compare(last, k) > 0) {
                ordered = false;
                break;
            }
            last = k;
        }
        if (ordered) {
            return entries instanceof LinkedHashMap<K, V> ? entries : new LinkedHashMap<>(entries);
        }
        List<Keyed<K, V>> rows = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> rows.add(new Keyed<>(join(k), k, v)));
        rows.sort(Comparator.comparing(Keyed::joined));
        Map<K, V> out = new LinkedHashMap<>(rows.size() * 4 / 3 + 1);
        rows.forEach(r -> out.put(r.key(), r.value()));
        return out;
    }

    private record Keyed<K, V>(String joined, K key, V value) {}

    /** The parts joined, a null part as "null": what {@link #compare} compares. */
    public static String join(Ordered<?> value) {
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < value.partCount(); i++) {
            joined.append(value.part(i));
        }
        return joined.toString();
    }

    /** {@code join(a).compareTo(join(b))}, allocation-free. */
    public static int compare(Ordered<?> a, Ordered<?> b) {
        int na = a.partCount();
        int nb = b.partCount();
        // Whole parts that are the same (most are: the separators, the namespace) are skipped at once: up to the
        // first that differs, the joined forms agree and are aligned.
        int i = 0;
        while (i < na && i < nb && java.util.Objects.equals(a.part(i), b.part(i))) {
            i++;
        }
        // Then character by character, across the parts' ends as if they were joined.
        String x = i < na ? printed(a.part(i)) : null;
        String y = i < nb ? printed(b.part(i)) : null;
        int ai = i;
        int bi = i;
        int ac = 0;
        int bc = 0;
        while (true) {
            while (x != null && ac == x.length()) {
                x = ++ai < na ? printed(a.part(ai)) : null;
                ac = 0;
            }
            while (y != null && bc == y.length()) {
                y = ++bi < nb ? printed(b.part(bi)) : null;
                bc = 0;
            }
            if (x == null || y == null) {
                return (x == null ? 0 : 1) - (y == null ? 0 : 1); // the shorter one first
            }
            char cx = x.charAt(ac++);
            char cy = y.charAt(bc++);
            if (cx != cy) {
                return cx - cy;
            }
        }
    }

    private static String printed(String part) {
        return part == null ? "null" : part;
    }
}
