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
        boolean dropped)
        implements dev.tailor.util.Joined.Ordered<NetworkEdge> {

    /**
     * The edge a flow belongs to, or null for a reply or a flow without L4 (nothing to allow); pods are attributed
     * to their workloads through {@code pods}.
     */
    public static NetworkEdge of(Flow f, Pods pods) {
        if (f.reply() || f.protocol().isEmpty()) {
            return null;
        }
        Endpoint src = f.source();
        Endpoint dst = f.destination();
        String dns = dst.inCluster() || dst.dnsNames().isEmpty()
                ? ""
                : dst.dnsNames().get(0);
        return new NetworkEdge(
                namespace(src),
                workload(src, pods),
                address(src),
                namespace(dst),
                workload(dst, pods),
                address(dst),
                dns,
                f.protocol(),
                f.port(),
                f.verdict().equals("DROPPED"));
    }

    /** An end is a pod (namespace and workload), a reserved identity (and its address), or an address. */
    private static boolean isPod(Endpoint e) {
        return e.inCluster() && !e.podName().isEmpty();
    }

    private static boolean isReserved(Endpoint e) {
        return !e.reserved().isEmpty() && !e.reserved().equals("world");
    }

    private static String namespace(Endpoint e) {
        return isPod(e) ? e.namespace() : "";
    }

    private static String workload(Endpoint e, Pods pods) {
        if (isPod(e)) {
            return pods.workloadKey(e.namespace(), e.podName(), e.podLabels(), e.workload());
        }
        return isReserved(e) ? "reserved:" + e.reserved() : "";
    }

    /** The address too for a reserved identity: a policy can reach the API server or a node-local resolver only by IP. */
    private static String address(Endpoint e) {
        return isPod(e) ? "" : e.ip();
    }

    // equals and hashCode written out: a record's own go through method handles (java.lang.runtime.ObjectMethods),
    // slow until the JIT has compiled them, and an edge is looked up once a flow from the first flow on.
    // RecordEqualityTest checks that they still take every component.
    @Override
    public boolean equals(Object o) {
        return o == this
                || o instanceof NetworkEdge e
                        && port == e.port
                        && dropped == e.dropped
                        && java.util.Objects.equals(srcNamespace, e.srcNamespace)
                        && java.util.Objects.equals(srcWorkload, e.srcWorkload)
                        && java.util.Objects.equals(srcAddress, e.srcAddress)
                        && java.util.Objects.equals(dstNamespace, e.dstNamespace)
                        && java.util.Objects.equals(dstWorkload, e.dstWorkload)
                        && java.util.Objects.equals(dstAddress, e.dstAddress)
                        && java.util.Objects.equals(dstDnsName, e.dstDnsName)
                        && java.util.Objects.equals(protocol, e.protocol);
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

    // Ordered by its toString(), given in parts (Joined.Ordered).
    @Override
    public int partCount() {
        return 19;
    }

    @Override
    public String part(int i) {
        return switch (i) {
            case 0 -> srcNamespace;
            case 1 -> ", srcWorkload=";
            case 2 -> srcWorkload;
            case 3 -> ", srcAddress=";
            case 4 -> srcAddress;
            case 5 -> ", dstNamespace=";
            case 6 -> dstNamespace;
            case 7 -> ", dstWorkload=";
            case 8 -> dstWorkload;
            case 9 -> ", dstAddress=";
            case 10 -> dstAddress;
            case 11 -> ", dstDnsName=";
            case 12 -> dstDnsName;
            case 13 -> ", protocol=";
            case 14 -> protocol;
            case 15 -> ", port=";
            case 16 -> String.valueOf(port);
            case 17 -> ", dropped=";
            default -> String.valueOf(dropped);
        };
    }
}
