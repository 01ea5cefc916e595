package dev.tailor.generate;

import dev.tailor.identity.Workload;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.store.ObservationStore.StoredAccess;
import dev.tailor.store.PodIdentity;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A NetworkPolicy per workload, {@code policyTypes: [Ingress, Egress]}, allowing what was observed and nothing else:
 * <ul>
 *   <li>in-cluster peers by their workload's stable labels ({@code podSelector}) and namespace
 *       ({@code namespaceSelector} on {@code kubernetes.io/metadata.name});</li>
 *   <li>peers outside the cluster, and the API server, as {@code ipBlock} /32 (/128) — wider only through the
 *       named option {@code externalPrefix};</li>
 *   <li>ports as observed at the destination pod: NetworkPolicy matches the pod's port, not the Service's;</li>
 *   <li>DNS (UDP and TCP 53) to the resolvers the workload was seen using — CoreDNS pods, a node-local cache's
 *       address, a cloud resolver — or, when its own lookups were not seen, those of its namespace, else the
 *       cluster's: for every workload with any egress, since a policy that blocks DNS breaks everything behind a
 *       name;</li>
 *   <li>the API server, for a workload whose account called the API (the audit log) when its flows do not show
 *       the connection: its endpoints from flows to Cilium's {@code reserved:kube-apiserver}, or {@code --api-server};
 *       REPORT.md says so, and says when no address is known;</li>
 *   <li>traffic that current policies already drop (Hubble verdict DROPPED) is not allowed; it is listed;</li>
 *   <li>traffic from the pod's own node (kubelet probes, Cilium's {@code reserved:host}) needs no rule: Kubernetes
 *       always allows it.</li>
 * </ul>
 */
final class NetworkPolicyGenerator {

    /**
     * @param worldIngress widening: a workload that clients outside the cluster connected to accepts any address on
     *                     those ports (0.0.0.0/0, ::/0) instead of the addresses seen
     */
    record Options(int externalPrefixV4, boolean worldIngress, boolean defaultDeny, List<String> apiServer) {}

    private final Options options;

    NetworkPolicyGenerator(Options options) {
        this.options = options;
    }

    /** Each peer's key, written once: peers are rebuilt for every edge that names them. */
    private final Map<NetworkPolicyPeer, String> keys = new HashMap<>();

    /** A peer's sort key: its one-line JSON as written, so that rules list peers in the order they read. */
    private String key(NetworkPolicyPeer peer) {
        return peer == null ? "{}" : keys.computeIfAbsent(peer, Manifests::compact);
    }

    /** What selects each workload's pods and no other's (made per generation). */
    private WorkloadSelectors selectors;

    void generate(Observations obs, Map<Workload, LearningState> states, Generated out) {
        selectors = new WorkloadSelectors(obs);
        Resolvers resolvers = resolvers(obs, out);
        Map<String, Set<String>> apiServer = apiServerEndpoints(obs);
        Set<String> namespaces = new TreeSet<>();
        for (LearningState state : states.values()) {
            Workload w = state.workload();
            String section = "NetworkPolicy: " + w;
            if (!state.proposed()) {
                continue;
            }
            Map<String, String> labels = obs.labels(w);
            if (labels.isEmpty()) {
                out.note(section, "not proposed: no labels known to select its pods");
                continue;
            }
            namespaces.add(w.namespace());
            LabelSelector selector = selectors.of(w);
            Set<Workload> alike = selectors.inseparableFrom(w);
            if (!alike.isEmpty()) {
                out.note(
                        section,
                        "its pods' labels select the pods of "
                                + String.join(
                                        ", ",
                                        alike.stream().map(Workload::toString).toList())
                                + " too, and no label tells them apart: the policy applies to those as well (give"
                                + " its pods a label of their own)");
            }
            Rules rules = observed(obs, w, resolvers, out, section);
            if (rules.anyEgress) {
                allowDns(rules, resolvers, w);
                allowApiServer(rules, obs, w, apiServer, out, section);
            }
            if (rules.from == null) {
                rules.from = state.firstSeen();
                rules.until = state.lastSeen();
            }
            out.yaml(
                    Manifests.dir(w) + "/networkpolicy.yaml",
                    List.of(Manifests.withServiceAccount(policy(w, selector, rules), obs, w)));
        }
        if (options.defaultDeny()) {
            defaultDeny(obs, states, namespaces, out);
        }
    }

    /**
     * The resolvers: whatever answered on port 53 — cluster-wide, per namespace and per workload, so that each
     * workload is allowed the resolver path it was seen using (CoreDNS in one namespace, a node-local cache in
     * another), its namespace's when its own lookups were not seen, the cluster's when neither was.
     */
    private record Resolvers(
            Map<String, NetworkPolicyPeer> cluster,
            Map<String, Map<String, NetworkPolicyPeer>> byNamespace,
            Map<String, Map<String, NetworkPolicyPeer>> byWorkload) {

        Map<String, NetworkPolicyPeer> of(Workload w) {
            return byWorkload.getOrDefault(
                    w.namespace() + "/" + w.key(), byNamespace.getOrDefault(w.namespace(), cluster));
        }
    }

    private Resolvers resolvers(Observations obs, Generated out) {
        Resolvers resolvers = new Resolvers(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
        obs.edges.keySet().forEach(e -> {
            if (e.port() == 53 && !e.dropped()) {
                NetworkPolicyPeer peer = dstPeer(obs, e, out);
                if (peer != null) {
                    resolvers.cluster().put(key(peer), peer);
                    if (!e.srcNamespace().isEmpty()) {
                        resolvers
                                .byNamespace()
                                .computeIfAbsent(e.srcNamespace(), k -> new TreeMap<>())
                                .put(key(peer), peer);
                        resolvers
                                .byWorkload()
                                .computeIfAbsent(e.srcNamespace() + "/" + e.srcWorkload(), k -> new TreeMap<>())
                                .put(key(peer), peer);
                    }
                }
            }
        });
        if (resolvers.cluster().isEmpty()) {
            out.note("NetworkPolicies", "no DNS traffic observed: no resolver known, so no DNS egress is generated");
        } else {
            out.note(
                    "NetworkPolicies",
                    "DNS resolvers detected from the flows: "
                            + String.join(", ", resolvers.cluster().keySet()));
        }
        return resolvers;
    }

    /**
     * The API server's endpoints (address → protocol/port), as NetworkPolicy sees them (after DNAT: the endpoint, not
     * the Service's ClusterIP): from flows to Cilium's reserved:kube-apiserver identity, and from --api-server.
     */
    private Map<String, Set<String>> apiServerEndpoints(Observations obs) {
        Map<String, Set<String>> apiServer = new TreeMap<>();
        obs.edges.keySet().forEach(e -> {
            if (e.dstWorkload().equals("reserved:kube-apiserver")
                    && !e.dstAddress().isEmpty()
                    && !e.dropped()) {
                apiServer.computeIfAbsent(e.dstAddress(), k -> new TreeSet<>()).add(e.protocol() + "/" + e.port());
            }
        });
        for (String endpoint : options.apiServer()) {
            int colon = endpoint.lastIndexOf(':');
            apiServer
                    .computeIfAbsent(endpoint.substring(0, colon).replaceAll("^\\[|]$", ""), k -> new TreeSet<>())
                    .add("TCP/" + endpoint.substring(colon + 1));
        }
        return apiServer;
    }

    /** What one workload's policy allows: its peers by key, and per direction each peer's protocol/port set. */
    private static final class Rules {
        final Map<String, NetworkPolicyPeer> peers = new TreeMap<>();
        final Map<String, Set<String>> ingress = new TreeMap<>();
        final Map<String, Set<String>> egress = new TreeMap<>();
        Instant from;
        Instant until;
        long flows;
        boolean anyEgress;

        void allow(Map<String, Set<String>> direction, String key, NetworkPolicyPeer peer, Collection<String> ports) {
            peers.put(key, peer);
            direction.computeIfAbsent(key, k -> new TreeSet<>()).addAll(ports);
        }
    }

    /** The rules the workload's own flows call for: every peer it was seen with, on the ports seen. */
    private Rules observed(Observations obs, Workload w, Resolvers resolvers, Generated out, String section) {
        Rules rules = new Rules();
        for (var entry : obs.edgesOf(w)) {
            NetworkEdge e = entry.getKey();
            StoredAccess s = entry.getValue();
            boolean inbound = isWorkload(e.dstNamespace(), e.dstWorkload(), w);
            boolean outbound = isWorkload(e.srcNamespace(), e.srcWorkload(), w);
            if (e.dropped()) {
                out.note(
                        section,
                        "dropped by current policy, not allowed: " + Reports.describe(e) + " (" + s.count()
                                + " flows)");
                continue;
            }
            if (inbound && e.srcWorkload().equals("reserved:host")) {
                continue; // the pod's node: always allowed
            }
            List<String> port = List.of(e.protocol() + "/" + e.port());
            if (inbound) {
                NetworkPolicyPeer peer = options.worldIngress()
                                && e.srcNamespace().isEmpty()
                                && e.srcWorkload().isEmpty()
                        ? anyAddress(e.srcAddress())
                        : srcPeer(obs, e, out, section);
                if (peer != null) {
                    rules.allow(rules.ingress, key(peer), peer, port);
                }
            }
            if (outbound) {
                rules.anyEgress = true;
                // DNS to a resolver is allowed by allowDns, to every resolver, on UDP and TCP.
                if (!(e.port() == 53 && resolvers.cluster().containsKey(key(dstPeerQuiet(obs, e))))) {
                    NetworkPolicyPeer peer = dstPeer(obs, e, out);
                    if (peer == null) {
                        out.note(section, "no selector for " + Reports.describe(e) + ": not allowed");
                    } else {
                        rules.allow(rules.egress, key(peer), peer, port);
                    }
                }
            }
            rules.from = rules.from == null || s.firstSeen().isBefore(rules.from) ? s.firstSeen() : rules.from;
            rules.until = rules.until == null || s.lastSeen().isAfter(rules.until) ? s.lastSeen() : rules.until;
            rules.flows += s.count();
        }
        return rules;
    }

    /** DNS, for a workload with any egress: a policy that blocks it breaks everything behind a name. */
    private static void allowDns(Rules rules, Resolvers resolvers, Workload w) {
        resolvers.of(w).forEach((key, peer) -> rules.allow(rules.egress, key, peer, List.of("TCP/53", "UDP/53")));
    }

    /**
     * A workload whose account calls the API needs the API server: the audit log says so even where the flows do
     * not show the connection (host-network API servers, flows not captured on the control plane).
     */
    private void allowApiServer(
            Rules rules,
            Observations obs,
            Workload w,
            Map<String, Set<String>> apiServer,
            Generated out,
            String section) {
        long apiCalls = apiCalls(obs, w);
        if (apiCalls == 0
                || apiServer.keySet().stream()
                        .anyMatch(a -> rules.egress.containsKey(key(peer(obs, "", "", a, null, null))))) {
            return;
        }
        if (apiServer.isEmpty()) {
            out.note(
                    section,
                    "its account made " + apiCalls + " API requests, but no API server address is known "
                            + "(no flow to it, no --api-server): its egress does not allow the API server — add "
                            + "--api-server ADDRESS:PORT (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)");
            return;
        }
        apiServer.forEach((address, ports) -> {
            NetworkPolicyPeer peer = peer(obs, "", "", address, null, null);
            rules.allow(rules.egress, key(peer), peer, ports);
        });
        out.note(
                section,
                "its account made " + apiCalls + " API requests its flows do not show: egress to the "
                        + "API server ("
                        + String.join(
                                ", ",
                                apiServer.entrySet().stream()
                                        .map(a -> a.getKey() + " " + String.join(",", a.getValue()))
                                        .toList())
                        + ") allowed");
    }

    private static NetworkPolicy policy(Workload w, LabelSelector selector, Rules rules) {
        return new NetworkPolicyBuilder()
                .withMetadata(Manifests.metadata(
                        "tailor-" + w.kind().toLowerCase(Locale.ROOT) + "-" + w.name(),
                        w.namespace(),
                        w.key(),
                        rules.from,
                        rules.until,
                        rules.flows + " flows in and out of " + w + " (" + rules.ingress.size() + " ingress peers, "
                                + rules.egress.size() + " egress peers)"))
                .withNewSpec()
                .withPodSelector(selector)
                .withPolicyTypes("Ingress", "Egress")
                .withIngress(byPorts(
                        rules.ingress,
                        rules.peers,
                        (peers, ports) -> new NetworkPolicyIngressRuleBuilder()
                                .withFrom(peers)
                                .withPorts(ports)
                                .build()))
                .withEgress(byPorts(
                        rules.egress,
                        rules.peers,
                        (peers, ports) -> new NetworkPolicyEgressRuleBuilder()
                                .withTo(peers)
                                .withPorts(ports)
                                .build()))
                .endSpec()
                .build();
    }

    /** --default-deny: one policy per namespace that has proposals, and a warning for each workload it would cut off. */
    private static void defaultDeny(
            Observations obs, Map<Workload, LearningState> states, Set<String> namespaces, Generated out) {
        for (String ns : namespaces) {
            NetworkPolicy deny = new NetworkPolicyBuilder()
                    .withMetadata(Manifests.metadata(
                            "tailor-default-deny",
                            ns,
                            "namespace." + ns,
                            obs.from,
                            obs.until,
                            "--default-deny: everything not allowed by another policy is denied"))
                    .withNewSpec()
                    .withPodSelector(new LabelSelector())
                    .withPolicyTypes("Ingress", "Egress")
                    .endSpec()
                    .build();
            out.yaml(ns + "/default-deny.yaml", List.of(deny));
            states.values().stream()
                    .filter(s -> s.workload().namespace().equals(ns) && !s.proposed())
                    .forEach(s -> out.note(
                            "NetworkPolicies",
                            "warning: --default-deny in " + ns + " would cut off " + s.workload()
                                    + ", which is still learning and has no policy of its own"));
        }
    }

    /** Rules grouped by their port set: peers allowed on the same ports share a rule. */
    private static <R> List<R> byPorts(
            Map<String, Set<String>> byPeer,
            Map<String, NetworkPolicyPeer> peers,
            java.util.function.BiFunction<List<NetworkPolicyPeer>, List<NetworkPolicyPort>, R> rule) {
        Map<String, List<NetworkPolicyPeer>> peersByPorts = new TreeMap<>();
        Map<String, Set<String>> ports = new TreeMap<>();
        byPeer.forEach((peer, set) -> {
            String k = String.join(",", set);
            peersByPorts.computeIfAbsent(k, x -> new ArrayList<>()).add(peers.get(peer));
            ports.put(k, set);
        });
        List<R> rules = new ArrayList<>();
        peersByPorts.forEach((k, list) -> rules.add(rule.apply(
                list,
                ports.get(k).stream()
                        .map(p -> p.split("/"))
                        .map(p -> new NetworkPolicyPortBuilder()
                                .withProtocol(p[0])
                                .withPort(new IntOrString(Integer.parseInt(p[1])))
                                .build())
                        .toList())));
        return rules;
    }

    /** API requests made by the service accounts the workload's pods run as (denied ones too: they were attempts). */
    private static long apiCalls(Observations obs, Workload w) {
        Set<String> users = new TreeSet<>();
        for (PodIdentity p : obs.identities(w)) {
            if (!p.serviceAccount().isEmpty()) {
                users.add("system:serviceaccount:" + p.namespace() + ":" + p.serviceAccount());
            }
        }
        return users.stream().mapToLong(obs::apiRequestsBy).sum();
    }

    private static NetworkPolicyPeer anyAddress(String address) {
        return ipBlock(address.contains(":") ? "::/0" : "0.0.0.0/0");
    }

    private static NetworkPolicyPeer ipBlock(String cidr) {
        return new NetworkPolicyPeerBuilder()
                .withNewIpBlock()
                .withCidr(cidr)
                .endIpBlock()
                .build();
    }

    private static boolean isWorkload(String namespace, String workloadKey, Workload w) {
        return namespace.equals(w.namespace()) && workloadKey.equals(w.key());
    }

    private NetworkPolicyPeer srcPeer(Observations obs, NetworkEdge e, Generated out, String section) {
        return peer(obs, e.srcNamespace(), e.srcWorkload(), e.srcAddress(), out, section);
    }

    private NetworkPolicyPeer dstPeer(Observations obs, NetworkEdge e, Generated out) {
        return peer(obs, e.dstNamespace(), e.dstWorkload(), e.dstAddress(), out, "NetworkPolicies");
    }

    private NetworkPolicyPeer dstPeerQuiet(Observations obs, NetworkEdge e) {
        return peer(obs, e.dstNamespace(), e.dstWorkload(), e.dstAddress(), null, null);
    }

    /** A workload by its labels and namespace, else an address as an ipBlock; null when there is neither. */
    private NetworkPolicyPeer peer(
            Observations obs, String namespace, String workload, String address, Generated out, String section) {
        if (!namespace.isEmpty()) {
            Workload w = Workload.parse(namespace, workload);
            Map<String, String> labels = obs.labels(w);
            if (labels.isEmpty()) {
                if (out != null) {
                    out.note(section, "peer " + w + " has no known labels (no pod of it was admitted): not allowed");
                }
                return null;
            }
            return new NetworkPolicyPeerBuilder()
                    .withNamespaceSelector(Manifests.matchLabels(Map.of("kubernetes.io/metadata.name", namespace)))
                    .withPodSelector(selectors.of(w))
                    .build();
        }
        return address.isEmpty() ? null : ipBlock(cidr(address));
    }

    private String cidr(String address) {
        if (address.contains(":")) {
            return address + "/128";
        }
        int prefix = options.externalPrefixV4();
        if (prefix >= 32) {
            return address + "/32";
        }
        String[] parts = address.split("\\.");
        long ip = 0;
        for (String p : parts) {
            ip = (ip << 8) | Integer.parseInt(p);
        }
        long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        ip &= mask;
        return ((ip >> 24) & 255) + "." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255) + "/"
                + prefix;
    }
}
