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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Large reviews against a small review memory (8 MiB: the largest review evaluated is 128 KiB), as a namespace editor
 * could send them by applying large Deployments: one larger than the memory could ever hold is refused unread with a
 * 413 that says why, announced or not; several that fit one at a time are each answered in turn; and the webhook
 * answers an ordinary review afterwards.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
@TestProfile(ReviewMemoryIT.SmallReviewMemory.class)
class ReviewMemoryIT {

    public static final class SmallReviewMemory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tailor.review-memory", Integer.toString(8 << 20));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL url;

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
        HttpClient http = HttpClient.newBuilder()
                .sslContext(DevTlsResource.ca.clientContext())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest.BodyPublisher publisher = announceLength
                ? HttpRequest.BodyPublishers.ofByteArray(body)
                : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArray(body));
        return http.send(
                HttpRequest.newBuilder(URI.create(url.toString()).resolve("/validate"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(publisher)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
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
        String metrics = WebhookUnderTest.https(url).get("/q/metrics").asString();
        assertTrue(
                metrics.contains("tailor_admission_refused_total{endpoint=\"validate\",reason=\"too-large\"} 2.0"),
                metrics.lines()
                        .filter(l -> l.startsWith("tailor_admission_refused"))
                        .toList()
                        .toString());
    }
}
