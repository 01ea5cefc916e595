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

    /** A value ordered by its printed form, given as parts (see {@link #compare}). */
    public interface Ordered<T extends Ordered<T>> extends Comparable<T> {
        /** The printed form's parts, in order. */
        String[] parts();

        @Override
        default int compareTo(T o) {
            return compare(parts(), o.parts());
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
            if (last != null && compare(last.parts(), k.parts()) > 0) {
                ordered = false;
                break;
            }
            last = k;
        }
        if (ordered) {
            return entries instanceof LinkedHashMap<K, V> ? entries : new LinkedHashMap<>(entries);
        }
        List<Keyed<K, V>> rows = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> rows.add(new Keyed<>(join(k.parts()), k, v)));
        rows.sort(Comparator.comparing(Keyed::joined));
        Map<K, V> out = new LinkedHashMap<>(rows.size() * 4 / 3 + 1);
        rows.forEach(r -> out.put(r.key(), r.value()));
        return out;
    }

    private record Keyed<K, V>(String joined, K key, V value) {}

    /** The parts joined, a null part as "null": what {@link #compare} compares. */
    public static String join(String[] parts) {
        nulls(parts);
        return String.join("", parts);
    }

    /** {@code String.join("", a).compareTo(String.join("", b))} (a null part prints as "null"), allocation-free. */
    public static int compare(String[] a, String[] b) {
        nulls(a);
        nulls(b);
        int ai = 0;
        int bi = 0;
        int ac = 0;
        int bc = 0;
        while (true) {
            while (ai < a.length && ac == a[ai].length()) {
                ai++;
                ac = 0;
            }
            while (bi < b.length && bc == b[bi].length()) {
                bi++;
                bc = 0;
            }
            if (ai == a.length || bi == b.length) {
                return (ai == a.length ? 0 : 1) - (bi == b.length ? 0 : 1); // the shorter one first
            }
            char x = a[ai].charAt(ac++);
            char y = b[bi].charAt(bc++);
            if (x != y) {
                return x - y;
            }
        }
    }

    private static void nulls(String[] parts) {
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                parts[i] = "null";
            }
        }
    }
}
