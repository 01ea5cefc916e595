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

    private RequestSpecification https() {
        return WebhookUnderTest.https(url);
    }

    @jakarta.inject.Inject
    ObservationSink sink;

    @Test
    void theAdmissionStreamReachesTheStore() throws Exception {
        String review = Files.readString(RepositoryPaths.fixtures().resolve("admission/pod-baseline-conforms.json"));
        String uid = JSON.readTree(review).path("request").path("uid").asText();
        https().contentType("application/json")
                .body(review)
                .post("/validate")
                .then()
                .statusCode(200);
        // What the background writer does every second, 5,000 entries at a time (other tests may have left more).
        String metrics = "";
        for (int i = 0; i < 20 && !metrics.contains("tailor_admission_stream_queued 0.0"); i++) {
            sink.flush();
            metrics = https().get("/q/metrics").asString();
        }
        // Nothing waits and nothing was dropped: what an operator's alert watches.
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains("tailor_admission_stream_queued 0.0"), metrics);
        org.junit.jupiter.api.Assertions.assertTrue(
                metrics.contains("tailor_admission_stream_dropped_total 0.0"), metrics);
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            assertEquals(
                    true,
                    store
                            .decisions(
                                    java.time.Instant.EPOCH,
                                    java.time.Instant.now().plusSeconds(60))
                            .stream()
                            .anyMatch(d -> d.uid().equals(uid) && d.verdict().equals("allowed")),
                    "the decision is stored");
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
                "",
                "allowed",
                "");
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
                "",
                "allowed",
                "");
        sink.decisions(List.of(bad, good));
        sink.flush();
        String metrics = https().get("/q/metrics").asString();
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
