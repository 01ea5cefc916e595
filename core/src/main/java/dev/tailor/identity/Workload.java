package dev.tailor.identity;

import java.util.Locale;

/**
 * A workload: what policies are generated for. {@link #key()} is the value of Tailor's {@code tailor.dev/workload}
 * label and of the policies' {@code data.approved} keys: {@code deployment.checkout}.
 *
 * @param kind Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod (a bare pod is its own workload)
 */
public record Workload(String namespace, String kind, String name) implements Comparable<Workload> {

    public String key() {
        return lowerKind() + "." + name;
    }

    private static final java.util.List<String> KINDS =
            java.util.List.of("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet");

    /** The workload named by a key as {@link #key()} writes it ({@code deployment.checkout}); other kinds as given. */
    public static Workload parse(String namespace, String key) {
        int dot = key.indexOf('.');
        if (dot <= 0 || dot == key.length() - 1) {
            throw new IllegalArgumentException("not a workload KIND.NAME: " + key);
        }
        String kind = key.substring(0, dot);
        String canonical = kind;
        for (String k : KINDS) { // a loop, not a stream: a generation parses a workload for each of its rows
            if (k.equalsIgnoreCase(kind)) {
                canonical = k;
                break;
            }
        }
        return new Workload(namespace, canonical, key.substring(dot + 1));
    }

    @Override
    public String toString() {
        return namespace + "/" + key();
    }

    // equals and hashCode written out: a record's own go through method handles (java.lang.runtime.ObjectMethods),
    // slow until the JIT has compiled them, and workloads are looked up twice a flow from the first flow on.
    // RecordEqualityTest checks that they still take every component.
    @Override
    public boolean equals(Object o) {
        return o == this
                || o instanceof Workload w
                        && java.util.Objects.equals(namespace, w.namespace)
                        && java.util.Objects.equals(kind, w.kind)
                        && java.util.Objects.equals(name, w.name);
    }

    @Override
    public int hashCode() {
        return (31 * java.util.Objects.hashCode(namespace) + java.util.Objects.hashCode(kind)) * 31
                + java.util.Objects.hashCode(name);
    }

    /** As their {@link #toString()}s compare, without building them (workloads are sorted all through a preview). */
    @Override
    public int compareTo(Workload o) {
        // Character by character over the three parts and their separators: no array of parts per comparison (a
        // preview compares workloads millions of times, in maps keyed by them, with no JIT to take the arrays away).
        String a0 = String.valueOf(namespace);
        String a1 = lowerKind();
        String a2 = String.valueOf(name);
        String b0 = String.valueOf(o.namespace);
        String b1 = o.lowerKind();
        String b2 = String.valueOf(o.name);
        int la = a0.length() + a1.length() + a2.length() + 2;
        int lb = b0.length() + b1.length() + b2.length() + 2;
        for (int i = 0, n = Math.min(la, lb); i < n; i++) {
            char x = printedAt(a0, a1, a2, i);
            char y = printedAt(b0, b1, b2, i);
            if (x != y) {
                return x - y;
            }
        }
        return Integer.compare(la, lb);
    }

    /** The character at {@code i} of {@code p0 + "/" + p1 + "." + p2}. */
    private static char printedAt(String p0, String p1, String p2, int i) {
        if (i < p0.length()) {
            return p0.charAt(i);
        }
        i -= p0.length();
        if (i == 0) {
            return '/';
        }
        i--;
        if (i < p1.length()) {
            return p1.charAt(i);
        }
        i -= p1.length();
        return i == 0 ? '.' : p2.charAt(i - 1);
    }

    private static final java.util.Map<String, String> LOWER = new java.util.concurrent.ConcurrentHashMap<>();

    private String lowerKind() {
        return switch (kind) { // the kinds there are, without a map's lookup: asked at every comparison
            case "Deployment" -> "deployment";
            case "StatefulSet" -> "statefulset";
            case "DaemonSet" -> "daemonset";
            case "Job" -> "job";
            case "CronJob" -> "cronjob";
            case "Pod" -> "pod";
            case "ReplicaSet" -> "replicaset";
            default -> LOWER.computeIfAbsent(kind, k -> k.toLowerCase(Locale.ROOT));
        };
    }
}
