package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.store.ObservationStore;
import dev.tailor.testing.RepositoryPaths;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.specification.RequestSpecification;
import java.net.URL;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The webhook's own admission stream into the store: the pods it admitted and its decisions reach the store, and
 * an entry the store cannot hold is dropped alone.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class AdmissionStreamIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    @TestHTTPResource(value = "/", tls = true, management = true)
    URL management;

    private RequestSpecification https() {
        return WebhookUnderTest.https(url);
    }

    @jakarta.inject.Inject
    ObservationSink sink;

    /** The requests of a namespace's pods' creations the store counts as allowed with no check against them. */
    private static long allowedPodCreations(String namespace) throws Exception {
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            return store.allowedRequests().entrySet().stream()
                    .filter(e -> e.getKey().namespace().equals(namespace)
                            && e.getKey().kind().equals("Pod")
                            && e.getKey().operation().equals("CREATE"))
                    .mapToLong(e -> e.getValue().count())
                    .sum();
        }
    }

    /**
     * A review the webhook allows with nothing against it reaches the store, counted among the namespace's allowed
     * requests (not a row of its own); its pod becomes known.
     */
    @Test
    void theAdmissionStreamReachesTheStore() throws Exception {
        String review = Files.readString(RepositoryPaths.fixtures().resolve("admission/pod-baseline-conforms.json"));
        String namespace =
                JSON.readTree(review).path("request").path("namespace").asText();
        long before = allowedPodCreations(namespace);
        https().contentType("application/json")
                .body(review)
                .post("/validate")
                .then()
                .statusCode(200);
        // What the background writer does every second, 5,000 entries at a time (other tests may have left more).
        String metrics = "";
        for (int i = 0; i < 20 && !metrics.contains("tailor_admission_stream_queued 0.0"); i++) {
            sink.flush();
            metrics = WebhookUnderTest.https(management).get("/q/metrics").asString();
        }
        // Nothing waits and nothing was dropped: what an operator's alert watches.
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains("tailor_admission_stream_queued 0.0"), metrics);
        org.junit.jupiter.api.Assertions.assertTrue(
                metrics.contains("tailor_admission_stream_dropped_total 0.0"), metrics);
        assertEquals(before + 1, allowedPodCreations(namespace), "the request is counted");
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            String name = JSON.readTree(review).path("request").path("name").asText();
            assertEquals(
                    true,
                    store.podIdentities().keySet().stream()
                            .anyMatch(p -> p.pod().equals(name)),
                    "the pod is known");
        }
    }

    @Test
    void anEntryTheStoreCannotHoldIsDroppedAloneAndTheOthersAreStored() throws Exception {
        // A namespace longer than any Kubernetes allows (the column holds 253): once, it blocked every later flush.
        java.time.Instant now = java.time.Instant.now();
        var bad = new dev.tailor.contract.AdmissionDecision(
                now,
                "too-long-1",
                "n".repeat(300),
                "pod.x",
                "mallory",
                "CREATE",
                "Pod",
                "x",
                "audit",
                "hostNamespaces",
                "warned",
                "hostNamespaces: host namespaces (hostNetwork=true)");
        var good = new dev.tailor.contract.AdmissionDecision(
                now,
                "stored-after-a-bad-one",
                "shop",
                "pod.y",
                "alice",
                "CREATE",
                "Pod",
                "y",
                "audit",
                "hostNamespaces",
                "warned",
                "hostNamespaces: host namespaces (hostNetwork=true)");
        sink.decisions(List.of(bad, good));
        sink.flush();
        String metrics = WebhookUnderTest.https(management).get("/q/metrics").asString();
        org.junit.jupiter.api.Assertions.assertTrue(
                metrics.contains("tailor_admission_stream_rejected_total 1.0"), metrics);
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            var uids = store.decisions(now.minusSeconds(1), now.plusSeconds(1)).stream()
                    .map(dev.tailor.contract.AdmissionDecision::uid)
                    .toList();
            org.junit.jupiter.api.Assertions.assertTrue(
                    uids.contains("stored-after-a-bad-one") && !uids.contains("too-long-1"), uids.toString());
        }
    }
}
