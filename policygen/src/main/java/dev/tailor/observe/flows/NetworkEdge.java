package dev.tailor.observe.flows;

import dev.tailor.identity.Pods;

/**
 * An edge of the observed connectivity graph, what Tailor aggregates flows by: source and destination — a workload key ({@code deployment.reviews}) in a
 * namespace, a reserved Cilium identity ({@code reserved:host}), or an address outside the cluster with the DNS
 * name it was reached by — protocol, destination port, and whether the flow was dropped.
 */
public record NetworkEdge(
        String srcNamespace,
        String srcWorkload,
        String srcAddress,
        String dstNamespace,
        String dstWorkload,
        String dstAddress,
        String dstDnsName,
        String protocol,
        int port,
        boolean dropped) implements Comparable<NetworkEdge> {

    /**
     * The edge a flow belongs to, or null for a reply or a flow without L4 (nothing to allow); pods are attributed
     * to their workloads through {@code pods}.
     */
    public static NetworkEdge of(Flow f, Pods pods) {
        if (f.reply() || f.protocol().isEmpty()) {
            return null;
        }
        String[] src = side(f.source(), pods);
        String[] dst = side(f.destination(), pods);
        String dns = f.destination().inCluster() || f.destination().dnsNames().isEmpty() ? "" : f.destination().dnsNames().get(0);
        return new NetworkEdge(src[0], src[1], src[2], dst[0], dst[1], dst[2], dns, f.protocol(), f.port(),
                f.verdict().equals("DROPPED"));
    }

    /** {namespace, workload, address} of one end. */
    private static String[] side(Endpoint e, Pods pods) {
        if (e.inCluster() && !e.podName().isEmpty()) {
            return new String[] {e.namespace(), pods.workloadKey(e.namespace(), e.podName(), e.podLabels(), e.workload()), ""};
        }
        if (!e.reserved().isEmpty() && !e.reserved().equals("world")) {
            // The address too: a policy can reach the API server or a node-local resolver only by IP.
            return new String[] {"", "reserved:" + e.reserved(), e.ip()};
        }
        return new String[] {"", "", e.ip()};
    }

    // equals and hashCode written out: a record's own go through method handles (java.lang.runtime.ObjectMethods),
    // slow until the JIT has compiled them, and an edge is looked up once a flow from the first flow on.
    // RecordEqualityTest checks that they still take every component.
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof NetworkEdge e && port == e.port && dropped == e.dropped
                && java.util.Objects.equals(srcNamespace, e.srcNamespace) && java.util.Objects.equals(srcWorkload, e.srcWorkload)
                && java.util.Objects.equals(srcAddress, e.srcAddress) && java.util.Objects.equals(dstNamespace, e.dstNamespace)
                && java.util.Objects.equals(dstWorkload, e.dstWorkload) && java.util.Objects.equals(dstAddress, e.dstAddress)
                && java.util.Objects.equals(dstDnsName, e.dstDnsName) && java.util.Objects.equals(protocol, e.protocol);
    }

    @Override
    public int hashCode() {
        int h = java.util.Objects.hashCode(srcNamespace);
        h = 31 * h + java.util.Objects.hashCode(srcWorkload);
        h = 31 * h + java.util.Objects.hashCode(srcAddress);
        h = 31 * h + java.util.Objects.hashCode(dstNamespace);
        h = 31 * h + java.util.Objects.hashCode(dstWorkload);
        h = 31 * h + java.util.Objects.hashCode(dstAddress);
        h = 31 * h + java.util.Objects.hashCode(dstDnsName);
        h = 31 * h + java.util.Objects.hashCode(protocol);
        h = 31 * h + port;
        return 31 * h + (dropped ? 1 : 0);
    }

    @Override
    public int compareTo(NetworkEdge o) {
        return toString().compareTo(o.toString());
    }
}
