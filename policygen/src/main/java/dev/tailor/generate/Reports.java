package dev.tailor.generate;

import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;

/** Observed behavior in words, the same in every report: {@code get secrets token in shop}, {@code a -> b TCP/80}. */
public final class Reports {
    private Reports() {}

    public static String describe(ApiAccess a) {
        if (!a.nonResourceUrl().isEmpty()) {
            return a.verb() + " " + a.nonResourceUrl();
        }
        String resource = (a.apiGroup().isEmpty() ? "" : a.apiGroup() + "/")
                + a.resource()
                + (a.subresource().isEmpty() ? "" : "/" + a.subresource());
        return a.verb() + " " + resource + (a.name().isEmpty() ? "" : " " + a.name())
                + (a.namespace().isEmpty() ? " (all namespaces or cluster)" : " in " + a.namespace());
    }

    public static String describe(NetworkEdge e) {
        String src = e.srcNamespace().isEmpty()
                ? (e.srcWorkload().isEmpty() ? e.srcAddress() : e.srcWorkload())
                : e.srcNamespace() + "/" + e.srcWorkload();
        String dst = e.dstNamespace().isEmpty()
                ? (e.dstWorkload().isEmpty() ? e.dstAddress() : e.dstWorkload())
                        + (e.dstDnsName().isEmpty() ? "" : " (" + e.dstDnsName() + ")")
                : e.dstNamespace() + "/" + e.dstWorkload();
        return src + " -> " + dst + " " + e.protocol() + "/" + e.port();
    }
}
