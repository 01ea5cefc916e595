package dev.tailor.identity;

import java.util.Locale;

/**
 * A workload: what policies are generated for. {@link #key()} is the value of Tailor's {@code tailor.dev/workload}
 * label and of the policies' {@code data.approved} keys: {@code deployment.checkout}.
 *
 * @param kind Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod (a bare pod is its own workload)
 */
public record Workload(String namespace, String kind, String name) implements dev.tailor.util.Joined.Ordered<Workload> {

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

    // Ordered as their toString()s ("namespace/kind.name") compare, without building them (Joined.Ordered): a
    // preview compares workloads millions of times, in maps keyed by them.
    @Override
    public int partCount() {
        return 5;
    }

    @Override
    public String part(int i) {
        return switch (i) {
            case 0 -> namespace;
            case 1 -> "/";
            case 2 -> lowerKind();
            case 3 -> ".";
            default -> name;
        };
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
