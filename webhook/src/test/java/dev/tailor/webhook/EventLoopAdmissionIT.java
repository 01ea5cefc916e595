package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.testing.RepositoryPaths;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A small review whose length is announced is answered on the event loop ({@link EventLoopAdmission}); the same
 * review sent without a length goes to the REST resource on a worker thread. Both paths must give the same answer,
 * byte for byte, for a conforming pod, a violating one, a mutation, a Namespace (which the event loop hands to a
 * worker) and a review that does not parse — over HTTP/1.1 and HTTP/2.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class EventLoopAdmissionIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    private HttpResponse<String> post(HttpClient.Version version, String path, byte[] body, boolean announceLength)
            throws Exception {
        return DevTlsResource.postJson(version, URI.create(url.toString()).resolve(path), body, announceLength);
    }

    private static byte[] fixture(String name) throws Exception {
        return Files.readAllBytes(RepositoryPaths.fixtures().resolve("admission/" + name));
    }

    @Test
    void bothPathsGiveTheSameAnswers() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"/validate", "pod-restricted-conforms.json"},
                new String[] {"/validate", "pod-privileged.json"},
                new String[] {"/validate", "deployment-host-network.json"},
                new String[] {"/validate", "namespace-owner-switches-to-audit.json"},
                new String[] {"/mutate", "pod-restricted-conforms.json"});
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
            for (String[] c : cases) {
                byte[] review = fixture(c[1]);
                HttpResponse<String> onEventLoop = post(version, c[0], review, true);
                HttpResponse<String> onWorker = post(version, c[0], review, false);
                String tag = version + " " + c[0] + " " + c[1];
                assertEquals(200, onEventLoop.statusCode(), tag + ": " + onEventLoop.body());
                assertEquals(onWorker.statusCode(), onEventLoop.statusCode(), tag);
                assertEquals(JSON.readTree(onWorker.body()), JSON.readTree(onEventLoop.body()), tag);
                assertEquals(
                        JSON.readTree(review).path("request").path("uid").asText(),
                        JSON.readTree(onEventLoop.body())
                                .path("response")
                                .path("uid")
                                .asText(),
                        tag);
            }
            JsonNode denied = JSON.readTree(post(version, "/validate", fixture("pod-privileged.json"), true)
                    .body());
            assertTrue(
                    denied.path("response").path("warnings").toString().contains("privileged")
                            || denied.path("response").path("status").toString().contains("privileged"),
                    "the privileged pod is judged on the event loop: " + denied);

            byte[] broken = "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": ["
                    .getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> brokenOnEventLoop = post(version, "/validate", broken, true);
            HttpResponse<String> brokenOnWorker = post(version, "/validate", broken, false);
            assertEquals(400, brokenOnEventLoop.statusCode(), brokenOnEventLoop.body());
            assertEquals(brokenOnWorker.statusCode(), brokenOnEventLoop.statusCode());
            assertEquals(JSON.readTree(brokenOnWorker.body()), JSON.readTree(brokenOnEventLoop.body()));
        }
    }
}
