package dev.tailor.generate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Workload;
import dev.tailor.observe.flows.Endpoint;
import dev.tailor.observe.flows.Flow;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DNS egress goes where the cluster's DNS really is — detected from the flows, never assumed to be kube-dns. */
class NetworkPolicyGeneratorTest {

    private static final Instant START = Instant.parse("2026-11-16T00:00:00Z");

    @TempDir
    Path dir;

    private static Endpoint pod(String ns, String name, String app) {
        return new Endpoint(ns, name, Map.of("app", app), Map.of(), app, "", "10.244.1.7", List.of(), null);
    }

    private static Endpoint outside(String reserved, String ip) {
        return new Endpoint("", "", Map.of(), Map.of(), "", reserved, ip, List.of(), null);
    }

    private String policy(Endpoint resolver) throws Exception {
        List<Flow> flows = new ArrayList<>();
        Endpoint api = pod("shop", "api-7d4b9c8f5-x2x9z", "api");
        for (int day = 0; day < 7; day++) {
            Instant t = START.plus(Duration.ofDays(day)).plusSeconds(60);
            flows.add(new Flow(1, day, t, "FORWARDED", "EGRESS", false, "UDP", 53, api, resolver, "L3_L4", ""));
            flows.add(new Flow(
                    2,
                    day,
                    t.plusSeconds(1),
                    "FORWARDED",
                    "EGRESS",
                    false,
                    "TCP",
                    5432,
                    api,
                    outside("world", "192.0.2.10"),
                    "L3_L4",
                    ""));
        }
        try (ObservationStore store = ObservationStore.open(ObservationStore.embeddedUrl(dir.resolve(resolver.ip())))) {
            store.ingestPods(List.of(apiPod()));
            TestStores.ingestFlows(store, flows);
            return new PolicyGenerator(PolicyGenerator.Options.defaults())
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files()
                    .get("shop/deployment.api/networkpolicy.yaml");
        }
    }

    @Test
    void nodeLocalDnsCacheIsReachedByItsLinkLocalAddressOnUdpAndTcp() throws Exception {
        String policy = policy(outside("host", "169.254.20.10"));
        assertTrue(policy.contains("cidr: 169.254.20.10/32"), policy);
        assertTrue(
                policy.contains("protocol: TCP\n          port: 53")
                        && policy.contains("protocol: UDP\n          port: 53"),
                policy);
        assertFalse(policy.contains("kube-dns"), policy);
        assertTrue(policy.contains("cidr: 192.0.2.10/32"), "the database outside, as observed");
    }

    @Test
    void aCloudResolverOutsideTheClusterToo() throws Exception {
        String policy = policy(outside("world", "169.254.169.254"));
        assertTrue(policy.contains("cidr: 169.254.169.254/32"), policy);
        assertTrue(policy.contains("protocol: TCP\n          port: 53"), "TCP too, for answers that do not fit UDP");
    }

    /**
     * Resolvers are not cluster-wide: shop's api uses CoreDNS, ops' agent the node-local cache. Each is allowed the
     * resolver path it was seen using, not the other's.
     */
    @Test
    void eachWorkloadGetsTheResolverItWasSeenUsing() throws Exception {
        Endpoint api = pod("shop", "api-7d4b9c8f5-x2x9z", "api");
        Endpoint agent = pod("ops", "agent-6c5d8f7b9-k2m4p", "agent");
        Endpoint coredns = new Endpoint(
                "kube-system",
                "coredns-5d78c9869d-abcde",
                Map.of("k8s-app", "kube-dns"),
                Map.of(),
                "coredns",
                "",
                "10.244.0.3",
                List.of(),
                null);
        Endpoint nodeLocal = outside("host", "169.254.20.10");
        List<Flow> flows = new ArrayList<>();
        for (int day = 0; day < 7; day++) {
            Instant t = START.plus(Duration.ofDays(day)).plusSeconds(60);
            flows.add(new Flow(10, day, t, "FORWARDED", "EGRESS", false, "UDP", 53, api, coredns, "L3_L4", ""));
            flows.add(new Flow(11, day, t, "FORWARDED", "EGRESS", false, "UDP", 53, agent, nodeLocal, "L3_L4", ""));
        }
        try (ObservationStore store = ObservationStore.open(ObservationStore.embeddedUrl(dir.resolve("two")))) {
            store.ingestPods(List.of(
                    new PodRecord(
                            "uid-1",
                            START,
                            "shop",
                            "api-7d4b9c8f5-x2x9z",
                            new Workload("shop", "Deployment", "api"),
                            "api",
                            Map.of("app", "api"),
                            true),
                    new PodRecord(
                            "uid-2",
                            START,
                            "ops",
                            "agent-6c5d8f7b9-k2m4p",
                            new Workload("ops", "Deployment", "agent"),
                            "agent",
                            Map.of("app", "agent"),
                            true),
                    new PodRecord(
                            "uid-3",
                            START,
                            "kube-system",
                            "coredns-5d78c9869d-abcde",
                            new Workload("kube-system", "Deployment", "coredns"),
                            "coredns",
                            Map.of("k8s-app", "kube-dns"),
                            false)));
            TestStores.ingestFlows(store, flows);
            Map<String, String> files = new PolicyGenerator(PolicyGenerator.Options.defaults())
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files();
            String apiPolicy = files.get("shop/deployment.api/networkpolicy.yaml");
            String agentPolicy = files.get("ops/deployment.agent/networkpolicy.yaml");
            assertTrue(apiPolicy.contains("k8s-app: kube-dns") && !apiPolicy.contains("169.254.20.10"), apiPolicy);
            assertTrue(
                    agentPolicy.contains("cidr: 169.254.20.10/32") && !agentPolicy.contains("kube-dns"), agentPolicy);
        }
    }

    /**
     * The API server's traffic often escapes the flows (a host-network API server, flows not captured where it
     * runs); the audit log still shows that the workload's account calls the API. Its egress then allows the API
     * server's endpoint — from --api-server, or from another workload's flows to Cilium's reserved:kube-apiserver —
     * and REPORT.md says so; with no address known it says that instead.
     */
    @Test
    void aWorkloadThatCallsTheApiIsAllowedTheApiServer() throws Exception {
        Endpoint api = pod("shop", "api-7d4b9c8f5-x2x9z", "api");
        List<Flow> flows = new ArrayList<>();
        List<dev.tailor.observe.audit.ApiRequest> calls = new ArrayList<>();
        for (int day = 0; day < 7; day++) {
            Instant t = START.plus(Duration.ofDays(day)).plusSeconds(60);
            flows.add(new Flow(
                    20,
                    day,
                    t,
                    "FORWARDED",
                    "EGRESS",
                    false,
                    "TCP",
                    5432,
                    api,
                    outside("world", "192.0.2.10"),
                    "L3_L4",
                    ""));
            calls.add(configMapRead("call-" + day, t));
        }
        java.util.function.Function<List<String>, Map<String, String>> generate =
                endpoints -> generatedWithApiServer(flows, calls, endpoints);
        Map<String, String> unknown = generate.apply(List.of());
        assertFalse(unknown.get("shop/deployment.api/networkpolicy.yaml").contains("6443"));
        assertTrue(
                unknown.get("REPORT.md")
                        .contains("its account made 7 API requests, but no API server address is known"),
                unknown.get("REPORT.md"));
        Map<String, String> given = generate.apply(List.of("172.18.0.2:6443"));
        String policy = given.get("shop/deployment.api/networkpolicy.yaml");
        assertTrue(policy.contains("cidr: 172.18.0.2/32") && policy.contains("port: 6443"), policy);
        assertTrue(
                given.get("REPORT.md").contains("egress to the API server (172.18.0.2 TCP/6443) allowed"),
                given.get("REPORT.md"));
    }

    /**
     * A chart whose web Deployment lacks the tier label its worker has a value of: web's common labels select the
     * worker's pods too, and web's policy (and every rule naming web as a peer) would apply to them. Web's selector
     * leaves them out by the label that tells them apart (its own pods have tier frontend or edge: NotIn backend); a
     * bare pod labelled like web, which no label tells apart, is named in the report; and the bare pod's own selector
     * leaves web's and the worker's pods out (they have a tier, it has none: DoesNotExist).
     */
    @Test
    void aSelectorLeavesOutTheOtherWorkloadsPodsItsLabelsWouldTakeIn() throws Exception {
        Workload web = new Workload("shop", "Deployment", "web");
        Workload worker = new Workload("shop", "Deployment", "worker");
        Workload shell = new Workload("shop", "Pod", "debug-shell");
        List<PodRecord> pods = List.of(
                podOf(web, "web-5d8f9c7b6-a1b2c", Map.of("app.kubernetes.io/name", "shop", "tier", "frontend")),
                podOf(web, "web-7c9d8b5f4-d3e4f", Map.of("app.kubernetes.io/name", "shop", "tier", "edge")),
                podOf(worker, "worker-6b7c8d9f5-g5h6j", Map.of("app.kubernetes.io/name", "shop", "tier", "backend")),
                podOf(shell, "debug-shell", Map.of("app.kubernetes.io/name", "shop")));
        List<Flow> flows = new ArrayList<>();
        for (int day = 0; day < 7; day++) {
            Instant t = START.plus(Duration.ofDays(day)).plusSeconds(60);
            for (PodRecord from : pods.subList(0, 2)) {
                flows.add(new Flow(
                        30 + day,
                        day,
                        t,
                        "FORWARDED",
                        "EGRESS",
                        false,
                        "TCP",
                        8080,
                        endpoint(from, "10.244.1.7"),
                        endpoint(pods.get(2), "10.244.2.9"),
                        "L3_L4",
                        ""));
            }
        }
        try (ObservationStore store = ObservationStore.open(ObservationStore.embeddedUrl(dir.resolve("chart")))) {
            store.ingestPods(pods);
            TestStores.ingestFlows(store, flows);
            Map<String, String> files = new PolicyGenerator(PolicyGenerator.Options.defaults())
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files();
            String webPolicy = files.get("shop/deployment.web/networkpolicy.yaml");
            String workerPolicy = files.get("shop/deployment.worker/networkpolicy.yaml");
            String leaveOutWorker = """
                      matchLabels:
                        app.kubernetes.io/name: shop
                      matchExpressions:
                        - key: tier
                          operator: NotIn
                          values:
                            - backend
                    """;
            assertTrue(webPolicy.contains("  podSelector:\n" + leaveOutWorker.indent(2)), webPolicy);
            assertTrue(
                    workerPolicy.contains("podSelector:\n" + leaveOutWorker.indent(10)),
                    "ingress from web: " + workerPolicy);
            assertFalse(workerPolicy.contains("debug-shell") || workerPolicy.contains("DoesNotExist"), workerPolicy);
            assertTrue(
                    files.get("REPORT.md")
                            .contains(
                                    "its pods' labels select the pods of shop/pod.debug-shell too, and no label tells "
                                            + "them apart"),
                    files.get("REPORT.md"));
            // The policies as the preview reads them: web's selects its own pods, not the worker's or the shell's.
            io.fabric8.kubernetes.api.model.LabelSelector selector =
                    new WorkloadSelectors(Observations.load(store, Duration.ofDays(7), null)).of(web);
            for (PodRecord p : pods) {
                assertTrue(
                        dev.tailor.kube.LabelSelector.matches(selector, p.labels())
                                        == p.workload().equals(web)
                                || p.workload().equals(shell),
                        p.pod());
            }
            io.fabric8.kubernetes.api.model.LabelSelector shellSelector =
                    new WorkloadSelectors(Observations.load(store, Duration.ofDays(7), null)).of(shell);
            for (PodRecord p : pods) {
                assertTrue(
                        dev.tailor.kube.LabelSelector.matches(shellSelector, p.labels())
                                == p.workload().equals(shell),
                        "the shell's selector and " + p.pod());
            }
        }
    }

    private static PodRecord podOf(Workload w, String pod, Map<String, String> labels) {
        return new PodRecord("uid-" + pod, START, w.namespace(), pod, w, w.name(), labels, true);
    }

    private static Endpoint endpoint(PodRecord p, String ip) {
        return new Endpoint(p.namespace(), p.pod(), p.labels(), Map.of(), p.serviceAccount(), "", ip, List.of(), null);
    }

    /** shop's api reading its ConfigMap settings. */
    private static dev.tailor.observe.audit.ApiRequest configMapRead(String id, Instant t) {
        return new dev.tailor.observe.audit.ApiRequest(
                id,
                t,
                "system:serviceaccount:shop:api",
                List.of(),
                "",
                "get",
                "",
                "v1",
                "configmaps",
                "",
                "shop",
                "settings",
                "",
                200);
    }

    /** api's pod, created when observation began (its start-up was seen). */
    private static PodRecord apiPod() {
        return new PodRecord(
                "uid",
                START,
                "shop",
                "api-7d4b9c8f5-x2x9z",
                new Workload("shop", "Deployment", "api"),
                "api",
                Map.of("app", "api"),
                true);
    }

    /** The files generated for api's week, with the API server's endpoints given (none: unknown). */
    private Map<String, String> generatedWithApiServer(
            List<Flow> flows, List<dev.tailor.observe.audit.ApiRequest> calls, List<String> endpoints) {
        try (ObservationStore store =
                ObservationStore.open(ObservationStore.embeddedUrl(dir.resolve("api-" + endpoints.size())))) {
            store.ingestPods(List.of(apiPod()));
            TestStores.ingestFlows(store, flows);
            TestStores.ingestAudit(store, calls);
            return new PolicyGenerator(PolicyGenerator.Options.builder()
                            .apiServer(endpoints)
                            .build())
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
