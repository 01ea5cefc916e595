package dev.tailor.util;

/**
 * Orders values by the string they print as — the order Tailor's reports and stores have always had — without
 * building that string: the printed form is given as its parts, and the parts are compared character by character
 * as if they were joined. Sorting a cluster's rows by building two strings per comparison cost most of a preview.
 */
public final class Joined {

    private Joined() {}

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
