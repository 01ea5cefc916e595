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
        return kind.toLowerCase(Locale.ROOT) + "." + name;
    }

    @Override
    public String toString() {
        return namespace + "/" + key();
    }

    @Override
    public int compareTo(Workload o) {
        return toString().compareTo(o.toString());
    }
}
