package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.testing.RepositoryPaths;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.IOException;
import java.net.Socket;
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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Anyone who reaches the port can open connections: at most {@code quarkus.http.limits.max-connections} are open (16
 * here, 512 in a cluster), counted from the moment one is accepted, whether its TLS handshake is done or it never sent
 * a byte. One beyond is closed before its handshake, so it costs neither a handshake nor TLS buffers (counted only once
 * handshaken, as Quarkus counts, a client that opened connections by the thousand had each handshaken and pushed the
 * webhook past its memory limit). Health and metrics have a port of their own, so kubelet's probes still answer.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
@TestProfile(ConnectionBoundIT.SixteenConnections.class)
class ConnectionBoundIT {

    public static final class SixteenConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.limits.max-connections", "16");
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    @TestHTTPResource(value = "/", tls = true, management = true)
    URL management;

    /** A TLS connection whose handshake is done. */
    private Socket tlsConnection() throws Exception {
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)
                DevTlsResource.ca.clientContext().getSocketFactory().createSocket(url.getHost(), url.getPort());
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return DevTlsResource.client(HttpClient.Version.HTTP_1_1)
                .send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double refusedSoFar() throws Exception {
        String metrics = WebhookUnderTest.https(management).get("/q/metrics").asString();
        Matcher counted = Pattern.compile("(?m)^tailor_connections_refused_total(?:\\{[^}]*})? ([0-9.E]+)$")
                .matcher(metrics);
        assertTrue(counted.find(), "no tailor_connections_refused_total in /q/metrics");
        return Double.parseDouble(counted.group(1));
    }

    @Test
    void connectionsBeyondTheLimitAreClosedBeforeTheirHandshakeAndReviewsAreAnsweredAfterwards() throws Exception {
        int limit = 16;
        double refusedBefore = refusedSoFar();
        List<Socket> held = new ArrayList<>();
        try {
            // Half handshaken, half silent; the silent ones are closed after tailor.tls.handshake-timeout (3 s), and
            // the rest of this block takes far less. The test's own HTTP client may keep one connection of its own
            // (the metrics above): the first silent ones may find the bound already full, the 17th certainly does.
            for (int i = 0; i < limit / 2; i++) {
                held.add(tlsConnection());
            }
            for (int i = limit / 2; i < limit; i++) {
                held.add(new Socket(url.getHost(), url.getPort()));
            }
            Thread.sleep(200); // the server has accepted them
            long start = System.nanoTime();
            IOException refused =
                    assertThrows(IOException.class, () -> tlsConnection().close());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(
                    millis < 2_000,
                    "connection " + (limit + 1) + " failed after " + millis + " ms, not at once: " + refused);
            Socket first = held.get(0);
            first.getOutputStream()
                    .write("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            int read = first.getInputStream().readNBytes(head, 0, head.length);
            assertEquals(
                    "HTTP/1.1 404",
                    new String(head, 0, read, StandardCharsets.US_ASCII),
                    "a connection within the limit still serves");
            // kubelet's probes go to the management port, which the admission port's full bound does not touch.
            for (String probe : List.of("live", "ready")) {
                WebhookUnderTest.https(management)
                        .get("/q/health/" + probe)
                        .then()
                        .statusCode(200);
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        byte[] review =
                Files.readAllBytes(RepositoryPaths.fixtures().resolve("admission/pod-restricted-conforms.json"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> answer = null;
        while (System.nanoTime() < deadline) {
            try {
                answer = send(HttpRequest.newBuilder(URI.create(url.toString()).resolve("/validate"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(review)));
                break;
            } catch (IOException stillFull) {
                Thread.sleep(100);
            }
        }
        assertTrue(
                answer != null && answer.statusCode() == 200 && answer.body().contains("\"allowed\":true"),
                "a review after the connections closed: " + (answer == null ? "no answer" : answer.body()));
        double refused = refusedSoFar();
        assertTrue(
                refused >= refusedBefore + 1, "tailor_connections_refused_total " + refusedBefore + " -> " + refused);
    }
}
