package dev.tailor.generate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Workload;
import dev.tailor.observe.flows.Endpoint;
import dev.tailor.observe.flows.Flow;
import dev.tailor.store.ObservationStore;
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
            flows.add(new Flow(2, day, t.plusSeconds(1), "FORWARDED", "EGRESS", false, "TCP", 5432, api,
                    outside("world", "192.0.2.10"), "L3_L4", ""));
        }
        try (ObservationStore store = ObservationStore.open(ObservationStore.embeddedUrl(dir.resolve(resolver.ip())))) {
            store.ingestPods(List.of(new PodRecord("uid", START, "shop", "api-7d4b9c8f5-x2x9z",
                    new Workload("shop", "Deployment", "api"), "api", Map.of("app", "api"), true)));
            store.ingestFlows(flows);
            return new PolicyGenerator(PolicyGenerator.Options.defaults())
                    .generate(Observations.load(store, Duration.ofDays(7), null)).files()
                    .get("shop/deployment.api/networkpolicy.yaml");
        }
    }

    @Test
    void nodeLocalDnsCacheIsReachedByItsLinkLocalAddressOnUdpAndTcp() throws Exception {
        String policy = policy(outside("host", "169.254.20.10"));
        assertTrue(policy.contains("cidr: 169.254.20.10/32"), policy);
        assertTrue(policy.contains("protocol: TCP\n          port: 53") && policy.contains("protocol: UDP\n          port: 53"), policy);
        assertFalse(policy.contains("kube-dns"), policy);
        assertTrue(policy.contains("cidr: 192.0.2.10/32"), "the database outside, as observed");
    }

    @Test
    void aCloudResolverOutsideTheClusterToo() throws Exception {
        String policy = policy(outside("world", "169.254.169.254"));
        assertTrue(policy.contains("cidr: 169.254.169.254/32"), policy);
        assertTrue(policy.contains("protocol: TCP\n          port: 53"), "TCP too, for answers that do not fit UDP");
    }
}
