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
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The webhook's size limits, as anyone who reaches the port meets them, over HTTP/1.1 and HTTP/2: an audit batch of
 * 4 MiB and one of exactly 16 MiB (the documented ingest limit) are stored; 17 MiB is a 413; an AdmissionReview over
 * its 3 MiB limit is a 413 — each answer with a JSON body that says what was wrong, whether or not the body's length
 * was announced; and a Content-Type that is not one media type gets a JSON 415, not an empty 400.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class HttpLimitsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MIB = 1 << 20;

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    /** An EventList of audit2rbac's real events, fresh audit IDs, padded with spaces to exactly {@code size} bytes. */
    private static byte[] eventList(String prefix, int size) throws Exception {
        List<String> demo = Files.readAllLines(
                RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log"));
        ObjectNode list = JSON.createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
        ArrayNode items = list.putArray("items");
        int approx = 0;
        for (int i = 0; approx < size - 4096; i++) {
            ObjectNode event = (ObjectNode) JSON.readTree(demo.get(i % demo.size()));
            event.put("auditID", prefix + i);
            event.remove("kind");
            event.remove("apiVersion");
            items.add(event);
            approx += event.toString().length() + 1;
        }
        byte[] body = list.toString().getBytes(StandardCharsets.UTF_8);
        while (body.length > size) {
            items.remove(items.size() - 1);
            body = list.toString().getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(body);
        out.write(" ".repeat(size - body.length).getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private HttpResponse<String> post(
            HttpClient.Version version, String path, String contentType, byte[] body, boolean announceLength)
            throws Exception {
        HttpClient http = DevTlsResource.client(version);
        HttpRequest.BodyPublisher publisher = announceLength
                ? HttpRequest.BodyPublishers.ofByteArray(body)
                // No Content-Length: the body arrives chunked (HTTP/1.1) or as DATA frames of unknown total (HTTP/2).
                : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArray(body));
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(url.toString()).resolve(path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .POST(publisher);
        if (path.startsWith("/ingest")) {
            request.header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyLimitAnswersWithAJsonBodyOverBothProtocols() throws Exception {
        List<String> seen = new ArrayList<>();
        int run = 0;
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
            for (boolean announced : List.of(true, false)) {
                String tag = version + (announced ? " with Content-Length" : " without");
                for (int size : new int[] {4 * MIB, 16 * MIB, 17 * MIB}) {
                    HttpResponse<String> answer = post(
                            version,
                            "/ingest/audit",
                            "application/json",
                            eventList("limits-" + (run++) + "-", size),
                            announced);
                    seen.add(tag + " ingest " + size / MIB + " MiB: " + answer.statusCode());
                    assertEquals(version, answer.version());
                    JsonNode body = JSON.readTree(answer.body());
                    if (size <= 16 * MIB) {
                        assertEquals(200, answer.statusCode(), tag + " " + size + ": " + answer.body());
                        assertTrue(body.path("stored").asInt() > 1000, answer.body());
                    } else {
                        assertEquals(413, answer.statusCode(), tag + " " + size + ": " + answer.body());
                        assertTrue(body.path("error").asText().contains("larger than 16777216 bytes"), answer.body());
                    }
                }
                for (int size : new int[] {4 * MIB, 17 * MIB}) {
                    HttpResponse<String> answer =
                            post(version, "/validate", "application/json", new byte[size], announced);
                    seen.add(tag + " validate " + size / MIB + " MiB: " + answer.statusCode());
                    assertEquals(413, answer.statusCode(), tag + " " + size + ": " + answer.body());
                    assertTrue(
                            JSON.readTree(answer.body())
                                    .path("response")
                                    .path("status")
                                    .path("message")
                                    .asText()
                                    .contains("larger than 3145728 bytes"),
                            answer.body());
                }
            }
            // Beyond every endpoint's limit and the server's hard stop (64 MiB): still a JSON 413.
            HttpResponse<String> huge = post(version, "/ingest/audit", "application/json", new byte[65 * MIB], true);
            seen.add(version + " ingest 65 MiB: " + huge.statusCode());
            assertEquals(413, huge.statusCode(), huge.body());
            assertTrue(JSON.readTree(huge.body()).path("error").asText().contains("larger than"), huge.body());
            HttpResponse<String> two = post(
                    version, "/validate", "application/json, text/plain", "{}".getBytes(StandardCharsets.UTF_8), true);
            seen.add(version + " two media types: " + two.statusCode());
            assertEquals(415, two.statusCode(), two.body());
            assertTrue(
                    JSON.readTree(two.body())
                            .path("response")
                            .path("status")
                            .path("message")
                            .asText()
                            .contains("Content-Type must be application/json"),
                    two.body());
        }
        System.out.println("http limits: " + seen);
    }

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    /**
     * One HTTP/2 connection carries at most 16 requests at once (the server says so in its SETTINGS): before, it
     * advertised no limit, and a single connection held 5,000 stalled review streams.
     */
    @Test
    void anHttp2ConnectionCarriesAtMostSixteenRequestsAtOnce() throws Exception {
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
                .setSsl(true)
                .setUseAlpn(true)
                .setTrustOptions(new io.vertx.core.net.PemTrustOptions()
                        .addCertPath(DevTlsResource.dir.resolve("ca.crt").toString())));
        try {
            long advertised = client.request(
                            io.vertx.core.http.HttpMethod.GET, url.getPort(), url.getHost(), "/q/health/live")
                    .compose(request -> request.send()
                            .compose(response -> response.body()
                                    .map(body -> request.connection()
                                            .remoteSettings()
                                            .getMaxConcurrentStreams())))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(16, advertised);
        } finally {
            client.close();
        }
    }

    /** Milliseconds until the server closed {@code socket}, which it must do without sending anything. */
    private static long millisUntilClosed(java.net.Socket socket) throws java.io.IOException {
        long start = System.nanoTime();
        int read;
        try {
            read = socket.getInputStream().read();
        } catch (java.net.SocketException closed) {
            read = -1;
        }
        assertEquals(-1, read, "the server sent data instead of closing the connection");
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * A connection that opens and never sends its TLS ClientHello — or sends half of one — is closed at
     * {@code tailor.tls.handshake-timeout} (3 s), not after Netty's 10 s: until then it holds one of the places
     * {@code quarkus.http.limits.max-connections} allows ({@link ConnectionBoundIT}).
     */
    @Test
    void aConnectionThatNeverFinishesItsHandshakeIsClosedAfterTheTimeout() throws Exception {
        for (byte[] sent : List.of(new byte[0], new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01})) {
            try (java.net.Socket silent = new java.net.Socket(url.getHost(), url.getPort())) {
                silent.setSoTimeout(10_000);
                silent.getOutputStream().write(sent);
                silent.getOutputStream().flush();
                long millis = millisUntilClosed(silent);
                assertTrue(
                        millis >= 2_500 && millis < 6_000,
                        "closed " + millis + " ms after " + sent.length + " bytes of a ClientHello");
            }
        }
    }
}
