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
 * 4 MiB and one of exactly 32 MiB (the documented ingest limit) are stored; 33 MiB is a 413; an AdmissionReview over
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

    @TestHTTPResource(value = "/", tls = true, management = true)
    URL management;

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
                for (int size : new int[] {4 * MIB, 32 * MIB, 33 * MIB}) {
                    HttpResponse<String> answer = post(
                            version,
                            "/ingest/audit",
                            "application/json",
                            eventList("limits-" + (run++) + "-", size),
                            announced);
                    seen.add(tag + " ingest " + size / MIB + " MiB: " + answer.statusCode());
                    assertEquals(version, answer.version());
                    JsonNode body = JSON.readTree(answer.body());
                    if (size <= 32 * MIB) {
                        assertEquals(200, answer.statusCode(), tag + " " + size + ": " + answer.body());
                        assertTrue(body.path("stored").asInt() > 1000, answer.body());
                    } else {
                        assertEquals(413, answer.statusCode(), tag + " " + size + ": " + answer.body());
                        assertTrue(body.path("error").asText().contains("larger than 33554432 bytes"), answer.body());
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

    /**
     * Flow lines past the ingest limit: announced, refused unread; streamed without a length, as a forwarder may send
     * them, read up to the limit — what came before it is stored, and the 413 says how much (sent again within the
     * limit, it is already stored).
     */
    @Test
    void flowLinesPastTheLimitKeepWhatCameBeforeIt() throws Exception {
        byte[] body = IngestIT.flowLines(58).getBytes(StandardCharsets.UTF_8);
        assertTrue(body.length > 32 * MIB, body.length + " bytes");
        HttpResponse<String> unread =
                post(HttpClient.Version.HTTP_1_1, "/ingest/flows", "application/x-ndjson", body, true);
        assertEquals(413, unread.statusCode(), unread.body());
        assertEquals(
                "batch of flows larger than 33554432 bytes",
                JSON.readTree(unread.body()).path("error").asText());
        HttpResponse<String> cut =
                post(HttpClient.Version.HTTP_1_1, "/ingest/flows", "application/x-ndjson", body, false);
        assertEquals(413, cut.statusCode(), cut.body());
        JsonNode answer = JSON.readTree(cut.body());
        java.util.regex.Matcher before = java.util.regex.Pattern.compile(
                        "^batch of flows larger than 33554432 bytes; the (\\d+) events before it are stored$")
                .matcher(answer.path("error").asText());
        assertTrue(before.matches(), cut.body());
        long stored =
                answer.path("stored").asLong() + answer.path("alreadyStored").asLong();
        assertEquals(stored, Long.parseLong(before.group(1)), cut.body());
        assertTrue(stored > IngestResource.LINE_EVENTS_PER_TRANSACTION, cut.body());
        // Of the lines read before the limit, two in three are flows stored, the rest replies.
        assertTrue(answer.path("events").asLong() > stored * 4 / 3, cut.body());
        System.out.println("http limits: flows cut at the limit, " + stored + " stored of " + answer.path("events"));
    }

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    /**
     * One HTTP/2 connection carries at most 100 requests at once (the server says so in its SETTINGS): before session
     * 21 it advertised no limit, and a single connection held 5,000 stalled review streams; at 16 a client under load
     * opened connection after connection.
     */
    @Test
    void anHttp2ConnectionCarriesAtMostAHundredRequestsAtOnce() throws Exception {
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(DevTlsResource.vertxHttp2());
        try {
            long advertised = client.request(
                            io.vertx.core.http.HttpMethod.GET, url.getPort(), url.getHost(), "/nothing")
                    .compose(request -> request.send()
                            .compose(response -> response.body()
                                    .map(body -> request.connection()
                                            .remoteSettings()
                                            .getMaxConcurrentStreams())))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(100, advertised);
        } finally {
            client.close();
        }
    }

    /**
     * Bodies the REST layer answers before reading them (here 415s: a review sent as {@code text/plain}) are read and
     * dropped, not kept: 8 streams on one HTTP/2 connection each send 31 MiB of an announced 32 and hold, and the heap
     * the webhook keeps (this JVM's, after full collections) grows by far less than what they sent — without {@link
     * UnreadBodies} by 279 MiB for the 248 sent. Every chunk was queued for an endpoint that never ran: on the packaged
     * webhook, 16 bodies of 10 MB on one connection ran the Deployment's 96 MiB heap out in two seconds.
     */
    @Test
    void http2BodiesAnsweredBeforeTheyAreReadAreDroppedAsTheyCome() throws Exception {
        int streams = 8;
        long announced = 32L * MIB;
        long held = announced - MIB;
        long before = heapAfterCollection();
        io.vertx.core.http.HttpClient client =
                vertx.createHttpClient(DevTlsResource.vertxHttp2().setHttp2MultiplexingLimit(streams));
        io.vertx.core.buffer.Buffer chunk = io.vertx.core.buffer.Buffer.buffer(new byte[256 * 1024]);
        List<java.util.concurrent.CompletableFuture<Integer>> answers = new ArrayList<>();
        java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(streams);
        try {
            for (int i = 0; i < streams; i++) {
                java.util.concurrent.CompletableFuture<Integer> status = new java.util.concurrent.CompletableFuture<>();
                answers.add(status);
                client.request(io.vertx.core.http.HttpMethod.POST, url.getPort(), url.getHost(), "/validate")
                        .onFailure(status::completeExceptionally)
                        .onSuccess(request -> {
                            request.putHeader("Content-Type", "text/plain")
                                    .putHeader("Content-Length", Long.toString(announced));
                            request.response().onSuccess(response -> status.complete(response.statusCode()));
                            long[] written = {0};
                            Runnable[] send = new Runnable[1];
                            send[0] = () -> {
                                while (!request.writeQueueFull() && written[0] < held) {
                                    written[0] += chunk.length();
                                    request.write(chunk);
                                }
                                if (written[0] < held) {
                                    request.drainHandler(drained -> send[0].run());
                                } else {
                                    sent.countDown(); // and holds the last MiB back
                                }
                            };
                            send[0].run();
                        });
            }
            for (java.util.concurrent.CompletableFuture<Integer> status : answers) {
                assertEquals(415, status.get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertTrue(sent.await(30, java.util.concurrent.TimeUnit.SECONDS), "the bodies were not taken");
            long kept = heapAfterCollection() - before;
            assertTrue(
                    kept < 64L * MIB,
                    "the heap grew by " + kept / MIB + " MiB while " + streams * held / MIB + " MiB were sent");
        } finally {
            client.close();
        }
    }

    /**
     * The management port (health, metrics) takes no request body past 1 KiB: a 413 at once when its length says
     * more, after its first KiB when it is chunked, and none is kept. At Quarkus's default limit (10 MiB) 20
     * connections that each announced 10,000,000 bytes and sent them had the packaged webhook's 75 MB heap collected
     * whole back to back for minutes (68 MB live); here 16 connections each send up to 4 MiB and hold, and the heap
     * grows by far less than what they sent.
     */
    @Test
    void bodiesPostedToTheManagementPortAreRefusedAndNotKept() throws Exception {
        int connections = 16;
        long before = heapAfterCollection();
        List<java.net.Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                boolean announced = i % 2 == 0;
                javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) DevTlsResource.ca
                        .clientContext()
                        .getSocketFactory()
                        .createSocket(management.getHost(), management.getPort());
                held.add(socket);
                socket.setSoTimeout(10_000);
                var out = socket.getOutputStream();
                out.write(("POST /q/health/live HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + (announced ? "Content-Length: 10000000\r\n" : "Transfer-Encoding: chunked\r\n")
                                + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                var in = socket.getInputStream();
                long sent = 0;
                try {
                    // Up to 4 MiB, or until the answer has come; the server may close the connection once it has
                    // answered.
                    while (sent < 4L * MIB && in.available() == 0) {
                        if (!announced) {
                            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        }
                        out.write(chunk);
                        if (!announced) {
                            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        out.flush();
                        sent += chunk.length;
                    }
                } catch (java.io.IOException closedByTheServer) {
                    // the answer is still there to read
                }
                byte[] head = new byte[12];
                int read = in.readNBytes(head, 0, head.length);
                assertEquals(
                        "HTTP/1.1 413",
                        new String(head, 0, read, StandardCharsets.US_ASCII),
                        (announced ? "an announced" : "a chunked") + " body to the management port");
            }
            long kept = heapAfterCollection() - before;
            assertTrue(kept < 16L * MIB, "the heap grew by " + kept / MIB + " MiB");
        } finally {
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
    }

    /**
     * The management port speaks HTTP/1.1 only: it offers no ALPN, so a client that asks for HTTP/2 gets HTTP/1.1
     * there, and the admission port's HTTP/2 is unchanged. Quarkus's management router reads a request's body before
     * it answers, and over HTTP/2 one connection could hold a hundred stalled requests: 100 connections of 100 streams,
     * each a POST that sent a byte of its body and stalled, held 32 MB of the packaged webhook's 75 MB heap.
     */
    @Test
    void theManagementPortSpeaksHttp11Only() throws Exception {
        assertEquals("h2", negotiated(url), "the admission port");
        assertEquals("", negotiated(management), "the management port negotiates no protocol: HTTP/1.1");
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(DevTlsResource.vertxHttp2());
        try {
            String answer = client.request(
                            io.vertx.core.http.HttpMethod.GET,
                            management.getPort(),
                            management.getHost(),
                            "/q/health/live")
                    .compose(request -> request.send()
                            .compose(response -> response.body()
                                    .map(body -> response.version() + " " + response.statusCode() + " " + body)))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(answer.startsWith("HTTP_1_1 200 ") && answer.contains("\"UP\""), answer);
        } finally {
            client.close();
        }
    }

    /**
     * A connection to the management port that never starts its TLS handshake is closed after {@code
     * tailor.tls.handshake-timeout} (3 s), as on the admission port — not after the TLS registry's 10 s: until then it
     * holds one of the port's 512 places.
     */
    @Test
    void aSilentConnectionToTheManagementPortIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (java.net.Socket silent = new java.net.Socket(management.getHost(), management.getPort())) {
            silent.setSoTimeout(15_000);
            long millis = millisUntilClosed(silent);
            assertTrue(millis >= 2_500 && millis < 6_000, "closed after " + millis + " ms");
        }
    }

    /** The application protocol a TLS handshake with the port at {@code at} settles on, offering h2 and HTTP/1.1. */
    private static String negotiated(URL at) throws Exception {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)
                DevTlsResource.ca.clientContext().getSocketFactory().createSocket(at.getHost(), at.getPort())) {
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket.getApplicationProtocol();
        }
    }

    /** This JVM's heap in use after full collections: the webhook runs in it. */
    private static long heapAfterCollection() throws InterruptedException {
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /**
     * The same over HTTP/1.1, where stopping the body would lose the client its answer: the answer says {@code
     * Connection: close}, the rest of the body is read and dropped, and the connection is closed once it has come.
     */
    @Test
    void anHttp1BodyAnsweredBeforeItIsReadClosesItsConnectionOnceItHasCome() throws Exception {
        int announced = 32 * MIB;
        int first = 64 * 1024;
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)
                DevTlsResource.trustingTestCa().getSocketFactory().createSocket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(5_000);
            var out = socket.getOutputStream();
            out.write(("POST /ingest/audit HTTP/1.1\r\nHost: " + url.getHost()
                            + "\r\nContent-Type: application/json\r\n" + "Content-Length: " + announced + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[first]);
            out.flush();
            var in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            while (!answer.toString(StandardCharsets.UTF_8).endsWith("}")) { // {"error":"unauthorized"}
                answer.write(in.read());
            }
            String head = answer.toString(StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
            assertTrue(head.startsWith("http/1.1 401"), head);
            assertTrue(head.contains("connection: close"), head);
            out.write(new byte[announced - first]);
            out.flush();
            assertEquals(-1, in.read(), "the connection stayed open after the body had come");
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
