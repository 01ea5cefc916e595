package dev.tailor.observe.flows;

import java.util.Map;

/**
 * One side of a flow as Hubble reports it. Cilium's labels come as {@code k8s:app=reviews},
 * {@code k8s:io.cilium.k8s.namespace.labels.team=shop}, {@code reserved:world}; they are split here into the pod's
 * own labels, its namespace's labels and Cilium's reserved identities.
 *
 * @param namespace      "" outside the cluster
 * @param podName        "" when Hubble names no pod (the world, the host, a node)
 * @param podLabels      the pod's labels (without Cilium's and Kubernetes' bookkeeping labels)
 * @param namespaceLabels the labels of the pod's namespace, when Cilium reports them
 * @param serviceAccount the pod's service account, when Cilium reports it
 * @param reserved       Cilium's reserved identity ({@code world}, {@code host}, {@code kube-apiserver}, …) or ""
 * @param ip             the endpoint's IP address in this flow, "" when the flow has none (L7 records)
 * @param dnsNames       names the destination was resolved from (Hubble's {@code destination_names}), if any
 * @param workload       the pod's workload as Cilium names it ({@code workloads[0]}, resolved by Cilium from owner
 *                       references), or null when the flow carries none
 */
public record Endpoint(
        String namespace,
        String podName,
        Map<String, String> podLabels,
        Map<String, String> namespaceLabels,
        String serviceAccount,
        String reserved,
        String ip,
        java.util.List<String> dnsNames,
        dev.tailor.identity.Workload workload) {

    public boolean inCluster() {
        return !namespace.isEmpty();
    }
}
