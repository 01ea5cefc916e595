package dev.tailor.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.kube.KubeObjects;
import dev.tailor.netpol.NetworkPolicyEvaluator.ContainerPort;
import dev.tailor.netpol.NetworkPolicyEvaluator.Peer;
import dev.tailor.netpol.NetworkPolicyEvaluator.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule of NetworkPolicy semantics, by hand, where intuition and Kubernetes differ. */
class NetworkPolicyEvaluatorTest {

    private static final Pod WEB = new Pod(
            "shop",
            "web",
            Map.of("app", "web"),
            "10.0.0.1",
            List.of(new ContainerPort("http", "TCP", 8080), new ContainerPort("dns", "UDP", 5353)));
    private static final Pod API = new Pod("shop", "api", Map.of("app", "api"), "10.0.0.2", List.of());
    private static final Pod OPS = new Pod("ops", "agent", Map.of("app", "api"), "10.0.1.1", List.of());
    private static final Map<String, Map<String, String>> NAMESPACES = Map.of("ops", Map.of("team", "ops"));

    private static NetworkPolicyEvaluator eval(String... yaml) throws Exception {
        List<NetworkPolicy> policies = new ArrayList<>();
        for (String y : yaml) {
            policies.add(KubeObjects.typed(new YAMLMapper().readTree(y), NetworkPolicy.class));
        }
        return new NetworkPolicyEvaluator(policies, NAMESPACES);
    }

    private static boolean tcp(NetworkPolicyEvaluator e, Peer from, Pod to, int port) {
        return e.allows(from, Peer.of(to), "TCP", port);
    }

    @Test
    void noPolicyAllowsEverythingAndIsolationIsPerDirection() throws Exception {
        assertEquals(PortSet.ALL, eval().allowed(Peer.of(API), Peer.of(WEB)));
        NetworkPolicyEvaluator ingressOnly = eval("{kind: NetworkPolicy, metadata: {name: a, namespace: shop},"
                + " spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}}");
        assertFalse(tcp(ingressOnly, Peer.of(API), WEB, 8080), "web is isolated for ingress, no rule allows");
        assertTrue(
                ingressOnly.allows(Peer.of(WEB), Peer.address("192.0.2.1"), "TCP", 443), "its egress is not isolated");
        assertTrue(tcp(ingressOnly, Peer.of(WEB), API, 80), "api is selected by nothing");
    }

    @Test
    void policyTypesDefaultToIngressPlusEgressWhenThereAreEgressRules() throws Exception {
        NetworkPolicyEvaluator noTypes = eval("{kind: NetworkPolicy, metadata: {name: a, namespace: shop},"
                + " spec: {podSelector: {}, egress: [{to: [{podSelector: {matchLabels: {app: api}}}]}]}}");
        assertFalse(tcp(noTypes, Peer.of(API), WEB, 8080), "Ingress is implied: isolated, and no ingress rule");
        assertFalse(
                tcp(noTypes, Peer.of(WEB), API, 9000),
                "web's egress allows api, but the same policy isolates api's ingress and allows it from nobody");
        assertFalse(
                noTypes.allows(Peer.of(WEB), Peer.address("192.0.2.1"), "TCP", 443),
                "Egress implied by the egress rule");
    }

    @Test
    void bothEndsMustAllow() throws Exception {
        NetworkPolicyEvaluator e = eval(
                "{kind: NetworkPolicy, metadata: {name: api-out, namespace: shop}, spec: {podSelector: {matchLabels: {app: api}},"
                        + " policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}]}}",
                "{kind: NetworkPolicy, metadata: {name: web-in, namespace: shop}, spec: {podSelector: {matchLabels: {app: web}},"
                        + " policyTypes: [Ingress], ingress: [{from: [{podSelector: {}}], ports: [{port: 8080}, {port: 9090}]}]}}");
        assertTrue(tcp(e, Peer.of(API), WEB, 8080));
        assertFalse(tcp(e, Peer.of(API), WEB, 9090), "web would take 9090, api may not send it");
        assertFalse(e.allows(Peer.of(API), Peer.of(WEB), "UDP", 8080), "the protocol defaults to TCP");
    }

    @Test
    void namespaceAndPodSelectorInOnePeerAreAndInTwoPeersOr() throws Exception {
        String and =
                "{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector: {matchLabels: {app: web}},"
                        + " ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}, podSelector: {matchLabels: {app: api}}}]}]}}";
        String or =
                "{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector: {matchLabels: {app: web}},"
                        + " ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}}, {podSelector: {matchLabels: {app: api}}}]}]}}";
        assertTrue(tcp(eval(and), Peer.of(OPS), WEB, 1));
        assertFalse(tcp(eval(and), Peer.of(API), WEB, 1), "api is not in an ops namespace");
        assertTrue(tcp(eval(or), Peer.of(API), WEB, 1), "a podSelector alone: pods of the policy's namespace");
        assertTrue(tcp(eval(or), Peer.of(OPS), WEB, 1));
        String byName = "{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector: {},"
                + " ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ops}}}]}]}}";
        assertTrue(tcp(eval(byName), Peer.of(OPS), WEB, 1), "every namespace carries its name label");
        String podOnly = "{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector: {},"
                + " ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]}}";
        assertFalse(tcp(eval(podOnly), Peer.of(OPS), WEB, 1), "same labels, other namespace");
    }

    @Test
    void ipBlocksWithExceptAndPortRangesAndNamedPorts() throws Exception {
        NetworkPolicyEvaluator e = eval(
                "{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector: {matchLabels: {app: web}},"
                        + " ingress: [{from: [{ipBlock: {cidr: 192.0.2.0/24, except: [192.0.2.128/25]}}],"
                        + " ports: [{port: 8000, endPort: 8100}, {port: http}, {port: dns, protocol: UDP}, {port: dns}]}]}}");
        Peer inside = Peer.address("192.0.2.10");
        assertTrue(tcp(e, inside, WEB, 8050));
        assertTrue(tcp(e, inside, WEB, 8100));
        assertFalse(tcp(e, inside, WEB, 8101));
        assertFalse(tcp(e, Peer.address("192.0.2.200"), WEB, 8050), "in the except");
        assertFalse(tcp(e, Peer.address("198.51.100.1"), WEB, 8050));
        assertTrue(e.allows(inside, Peer.of(WEB), "UDP", 5353), "named port resolved on the destination pod");
        assertFalse(e.allows(inside, Peer.of(WEB), "TCP", 5353), "a named port matches name and protocol");
        assertFalse(tcp(e, Peer.of(API), WEB, 8050), "pods are selected by labels, not by ipBlock");
        assertEquals(
                "TCP 8000-8100,UDP 5353",
                e.allowed(inside, Peer.of(WEB)).toString(),
                "the named 8080 lies inside the range");
    }

    @Test
    void rulesOfAllSelectingPoliciesAddUp() throws Exception {
        NetworkPolicyEvaluator e = eval(
                "{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector: {}, ingress: [{ports: [{port: 80}]}]}}",
                "{kind: NetworkPolicy, metadata: {name: b, namespace: shop}, spec: {podSelector: {matchLabels: {app: web}},"
                        + " ingress: [{ports: [{port: 443}]}]}}",
                "{kind: NetworkPolicy, metadata: {name: c, namespace: shop}, spec: {podSelector: {matchLabels: {app: web}},"
                        + " policyTypes: [Ingress], ingress: []}}");
        assertEquals(
                "TCP 80,443", e.allowed(Peer.of(API), Peer.of(WEB)).toString(), "a deny-all policy takes nothing away");
        assertEquals("TCP 80", e.allowed(Peer.of(WEB), Peer.of(API)).toString());
    }

    /**
     * An end whose labels are not known (CoreDNS in kube-system, which the webhook never sees admitted): what the
     * rules decide whatever its labels are is judged — a proposal without a port-53 rule denies DNS for certain, one
     * that allows port 53 to a whole namespace allows it — and what depends on the labels is neither (null).
     */
    @Test
    void anEndWithUnknownLabelsIsJudgedWhereTheRulesDoNotDependOnThem() throws Exception {
        Peer dns = Peer.of(new Pod("kube-system", "coredns", null, "", List.of()));
        NetworkPolicyEvaluator noDns = eval(
                "{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector:"
                        + " {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{ports: [{port: 443, protocol: TCP}]}]}}");
        assertEquals(
                Boolean.FALSE,
                noDns.judge(Peer.of(WEB), dns, "UDP", 53),
                "no rule has port 53: denied, whatever its labels");
        NetworkPolicyEvaluator byLabel =
                eval("{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector:"
                        + " {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels:"
                        + " {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}],"
                        + " ports: [{port: 53, protocol: UDP}]}]}}");
        assertEquals(null, byLabel.judge(Peer.of(WEB), dns, "UDP", 53), "depends on CoreDNS's labels: not judged");
        assertEquals(Boolean.FALSE, byLabel.judge(Peer.of(WEB), dns, "TCP", 53), "no rule for TCP/53 at all");
        NetworkPolicyEvaluator byNamespace =
                eval("{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector:"
                        + " {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels:"
                        + " {kubernetes.io/metadata.name: kube-system}}}], ports: [{port: 53, protocol: UDP}]}]}}");
        assertEquals(Boolean.TRUE, byNamespace.judge(Peer.of(WEB), dns, "UDP", 53), "the whole namespace: allowed");
        // The unknown end's own isolation: a policy in its namespace that may or may not select it.
        NetworkPolicyEvaluator isolatesSome = eval("{kind: NetworkPolicy, metadata: {name: b, namespace: kube-system},"
                + " spec: {podSelector: {matchLabels: {app: metrics}}, policyTypes: [Ingress]}}");
        assertEquals(null, isolatesSome.judge(Peer.of(WEB), dns, "UDP", 53), "is CoreDNS the pod it isolates? unknown");
        NetworkPolicyEvaluator isolatesAll = eval("{kind: NetworkPolicy, metadata: {name: b, namespace: kube-system},"
                + " spec: {podSelector: {}, policyTypes: [Ingress]}}");
        assertEquals(
                Boolean.FALSE,
                isolatesAll.judge(Peer.of(WEB), dns, "UDP", 53),
                "every pod there is isolated, nothing allowed");
        assertEquals(Boolean.TRUE, eval().judge(Peer.of(WEB), dns, "UDP", 53), "no policy anywhere");
    }

    /**
     * The pairs {@code allowedPairs} finds are those {@code allowed} allows, also where an end's labels are unknown (a
     * policy may or may not select it, a rule may or may not match it) and where rules match by namespace, by address
     * block, or every peer.
     */
    @Test
    void allowedPairsAreThePairsAllowedAllows() throws Exception {
        Pod unknown = new Pod("kube-system", "coredns", null, "10.0.9.9", List.of());
        Pod metrics = new Pod("kube-system", "metrics", Map.of("app", "metrics"), "10.0.9.8", List.of());
        List<Peer> peers = List.of(
                Peer.of(WEB), Peer.of(API), Peer.of(OPS), Peer.of(unknown), Peer.of(metrics), Peer.address("8.8.8.8"));
        List<NetworkPolicyEvaluator> evaluators = List.of(
                eval(),
                eval(
                        "{kind: NetworkPolicy, metadata: {name: a, namespace: shop}, spec: {podSelector:"
                                + " {matchLabels: {app: web}}, policyTypes: [Egress, Ingress], egress: [{to: [{namespaceSelector:"
                                + " {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app:"
                                + " kube-dns}}}, {ipBlock: {cidr: 8.8.0.0/16}}], ports: [{port: 53, protocol: UDP}]}], ingress:"
                                + " [{from: [{podSelector: {matchLabels: {app: api}}}, {namespaceSelector: {matchLabels: {team:"
                                + " ops}}}]}]}}",
                        "{kind: NetworkPolicy, metadata: {name: b, namespace: kube-system}, spec: {podSelector:"
                                + " {matchLabels: {app: metrics}}, policyTypes: [Ingress], ingress: [{ports: [{port: http}]}]}}",
                        "{kind: NetworkPolicy, metadata: {name: c, namespace: ops}, spec: {podSelector: {},"
                                + " policyTypes: [Egress], egress: [{to: [{namespaceSelector: {}}]}]}}"),
                eval("{kind: NetworkPolicy, metadata: {name: d, namespace: kube-system}, spec: {podSelector: {},"
                        + " policyTypes: [Ingress, Egress], ingress: [{}], egress: [{to: [{podSelector: {matchExpressions:"
                        + " [{key: app, operator: Exists}]}}]}]}}"));
        for (NetworkPolicyEvaluator e : evaluators) {
            List<java.util.BitSet> pairs = e.allowedPairs(peers);
            for (int s = 0; s < peers.size(); s++) {
                for (int d = 0; d < peers.size(); d++) {
                    boolean allowed =
                            s != d && !e.allowed(peers.get(s), peers.get(d)).isEmpty();
                    assertEquals(allowed, pairs.get(s).get(d), peers.get(s) + " => " + peers.get(d));
                }
            }
        }
    }
}
