package dev.tailor.observe.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tailor.generate.Observations;
import dev.tailor.identity.Workload;
import dev.tailor.observe.Problems;
import dev.tailor.store.ObservationStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod only flows name (CoreDNS in kube-system) is dated by its earliest flow, even when a forwarder's batches
 * arrive out of order — it sends several at once — and reading the same batch again stores nothing.
 */
class FlowPodsTest {

    private static String flow(String time) {
        return "{\"flow\":{\"time\":\"" + time + "\",\"verdict\":\"FORWARDED\",\"IP\":{\"source\":\"10.244.1.7\","
                + "\"destination\":\"10.244.2.9\",\"ipVersion\":\"IPv4\"},\"l4\":{\"UDP\":{\"source_port\":40000,"
                + "\"destination_port\":53}},\"source\":{\"ID\":101,\"identity\":1234,\"namespace\":\"shop\",\"labels\":"
                + "[\"k8s:app=web\",\"k8s:io.kubernetes.pod.namespace=shop\"],\"pod_name\":\"web-7d4b9c8f5-x2x9z\","
                + "\"workloads\":[{\"name\":\"web\",\"kind\":\"Deployment\"}]},\"destination\":{\"ID\":202,\"identity\":5678,"
                + "\"namespace\":\"kube-system\",\"labels\":[\"k8s:k8s-app=kube-dns\",\"k8s:io.kubernetes.pod.namespace=kube-system\"],"
                + "\"pod_name\":\"coredns-5d78c9869d-8xk2p\",\"workloads\":[{\"name\":\"coredns\",\"kind\":\"Deployment\"}]},"
                + "\"Type\":\"L3_L4\",\"traffic_direction\":\"EGRESS\",\"is_reply\":false},\"node_name\":\"node-a\",\"time\":\""
                + time + "\"}\n";
    }

    /** One forwarder batch, stored as the webhook's /ingest/flows stores it. */
    private static ObservationStore.BatchResult batch(ObservationStore store, String... times) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (String t : times) {
            lines.append(flow(t));
        }
        FlowPods named = new FlowPods(store.pods());
        new HubbleFlowReader()
                .read(
                        "batch",
                        new ByteArrayInputStream(lines.toString().getBytes(StandardCharsets.UTF_8)),
                        named::note,
                        new Problems());
        return store.ingestPods(named.records());
    }

    @Test
    void theEarliestFlowDatesThePodWhateverTheOrderBatchesArriveIn(@TempDir Path dir) throws Exception {
        try (ObservationStore store = ObservationStore.open(ObservationStore.embeddedUrl(dir.resolve("store")))) {
            // Both ends are pods no admission review showed here: each is noted.
            assertEquals(
                    2,
                    batch(store, "2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z").added());
            assertEquals(
                    2,
                    batch(store, "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z").added(),
                    "an earlier batch, sent later");
            assertEquals(
                    0,
                    batch(store, "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z").added(),
                    "the same batch again");
            Observations obs = Observations.load(store, Duration.ofDays(7), Instant.parse("2026-11-21T00:00:00Z"));
            assertEquals(
                    Map.of("coredns-5d78c9869d-8xk2p", Instant.parse("2026-11-20T09:00:00Z")),
                    obs.podsOf(new Workload("kube-system", "Deployment", "coredns")));
        }
    }
}
