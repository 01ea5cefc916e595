package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.testing.RepositoryPaths;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Large requests against a small request memory (8 MiB: the largest review evaluated is 128 KiB, the largest ingest
 * batch 1.3 MiB), as a namespace editor could send reviews by applying large Deployments: one larger than the memory
 * could ever hold is refused unread with a 413 that says why, announced or not; several that fit one at a time are
 * each answered in turn; the webhook answers an ordinary review afterwards; one that waited past the borrow timeout
 * while larger ones held the memory is refused as busy; and an audit batch over the memory's share is refused like
 * a large review while one within it is read.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
@TestProfile(RequestMemoryIT.SmallRequestMemory.class)
class RequestMemoryIT {

    public static final class SmallRequestMemory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tailor.request-memory", Integer.toString(8 << 20));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    @jakarta.inject.Inject
    RequestMemory memory;

    /** The webhook counted {@code count} reviews refused for {@code reason}. */
    private void assertRefused(String reason, double count) {
        String metrics = WebhookUnderTest.https(url).get("/q/metrics").asString();
        String line = "tailor_admission_refused_total{endpoint=\"validate\",reason=\"" + reason + "\"} " + count;
        assertTrue(
                metrics.contains(line),
                metrics.lines()
                        .filter(l -> l.startsWith("tailor_admission_refused"))
                        .toList()
                        .toString());
    }

    /** The restricted pod's review with {@code envs} environment variables added to its container. */
    private static byte[] review(int envs) throws Exception {
        ObjectNode review = (ObjectNode) JSON.readTree(
                Files.readAllBytes(RepositoryPaths.fixtures().resolve("admission/pod-restricted-conforms.json")));
        ObjectNode container = (ObjectNode) review.path("request")
                .path("object")
                .path("spec")
                .path("containers")
                .get(0);
        ArrayNode env = container.putArray("env");
        for (int i = 0; i < envs; i++) {
            env.addObject().put("name", "SETTING_" + i).put("value", "on");
        }
        return JSON.writeValueAsBytes(review);
    }

    private HttpResponse<String> post(byte[] body, boolean announceLength) throws Exception {
        return post("/validate", body, announceLength);
    }

    private HttpResponse<String> post(String path, byte[] body, boolean announceLength) throws Exception {
        return DevTlsResource.postJson(
                HttpClient.Version.HTTP_1_1,
                URI.create(url.toString()).resolve(path),
                body,
                announceLength,
                "Authorization",
                "Bearer " + DevTlsResource.INGEST_TOKEN);
    }

    @Test
    void largeReviewsAreRefusedOrTakeTheirTurnAndTheWebhookAnswersOn() throws Exception {
        byte[] tooLarge = review(5_000);
        assertTrue(tooLarge.length > 128 * 1024, "the large review is " + tooLarge.length + " bytes");
        for (boolean announced : new boolean[] {true, false}) {
            HttpResponse<String> answer = post(tooLarge, announced);
            assertEquals(413, answer.statusCode(), answer.body());
            JsonNode status = JSON.readTree(answer.body()).path("response").path("status");
            assertTrue(
                    status.path("message").asText().contains("larger than this webhook evaluates within its memory"),
                    answer.body());
        }

        // Each reserves about 6 MiB of the 8: they are evaluated one at a time, every one of them.
        byte[] fits = review(2_000);
        assertTrue(fits.length > 64 * 1024 && fits.length < 128 * 1024, "the review that fits: " + fits.length);
        List<CompletableFuture<HttpResponse<String>>> inTurn = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inTurn.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return post(fits, true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<HttpResponse<String>> f : inTurn) {
            HttpResponse<String> answer = f.get();
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("\"allowed\":true"), answer.body());
        }

        HttpResponse<String> ordinary = post(review(0), true);
        assertEquals(200, ordinary.statusCode(), ordinary.body());
        assertRefused("too-large", 2.0);
    }

    @Test
    void aReviewThatWaitedPastTheBorrowTimeoutForTheMemoryIsRefusedAsBusy() throws Exception {
        // Large reviews in flight hold all of it (as a burst of them would): an ordinary review waits 2 s, then a 503.
        RequestMemory.Reservation held = memory.reviews()
                .reserve(memory.reviews().largestBody(), Duration.ZERO)
                .orElseThrow();
        try {
            long start = System.nanoTime();
            HttpResponse<String> busy = post(review(0), true);
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, busy.statusCode(), busy.body());
            assertTrue(busy.body().contains("too many large AdmissionReviews in flight"), busy.body());
            assertTrue(waited >= 1_900, "answered after " + waited + " ms");
        } finally {
            held.close();
        }
        HttpResponse<String> after = post(review(0), true);
        assertEquals(200, after.statusCode(), "once the memory is given back: " + after.body());
        assertRefused("busy", 1.0);
    }

    /** An EventList of audit2rbac's real events (fresh audit IDs), about {@code size} bytes. */
    private static byte[] auditBatch(String prefix, int size) throws Exception {
        List<String> demo = Files.readAllLines(
                RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log"));
        ObjectNode list = JSON.createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
        ArrayNode items = list.putArray("items");
        for (int i = 0, approx = 0; approx < size; i++) {
            ObjectNode event = (ObjectNode) JSON.readTree(demo.get(i % demo.size()));
            event.put("auditID", prefix + i);
            items.add(event);
            approx += event.toString().length() + 1;
        }
        return JSON.writeValueAsBytes(list);
    }

    @Test
    void anAuditBatchOverTheMemorysShareIsRefusedAndOneWithinItStored() throws Exception {
        HttpResponse<String> tooLarge = post("/ingest/audit", auditBatch("request-memory-large-", 2 << 20), true);
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertTrue(
                JSON.readTree(tooLarge.body())
                        .path("error")
                        .asText()
                        .contains("the most this webhook stores within its memory"),
                tooLarge.body());
        // Within the share (and unannounced): read whole and handed to the store. The store itself is IngestIT's;
        // here it may be unreachable — a test profile restarts Quarkus, and the JDBC driver registered by the run
        // before is not found from the new class loader — which this answer may then say, as a 503 to resend.
        HttpResponse<String> fits = post("/ingest/audit", auditBatch("request-memory-small-", 512 << 10), false);
        JsonNode answer = JSON.readTree(fits.body());
        assertTrue(
                fits.statusCode() == 200
                        ? answer.path("events").asInt() > 100
                        : fits.statusCode() == 503
                                && answer.path("error").asText().equals("the batch could not be stored; send it again"),
                fits.statusCode() + " " + fits.body());
    }
}
