package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Large requests against a small request memory (8 MiB: the largest review evaluated is 128 KiB, the largest ingest
 * request read whole 1.3 MiB), as a namespace editor could send reviews by applying large Deployments: one larger than
 * the memory could ever hold is refused unread with a 413 that says why, announced or not; several that fit one at a
 * time are each answered in turn; the webhook answers an ordinary review afterwards; one that waited past the borrow
 * timeout while larger ones held the memory is refused as busy; and an OTLP request over the memory's share is refused
 * like a large review while flow lines and audit batches twice as large are read as they arrive. Review bodies sent
 * slowly, or never finished, hold only what they sent while they arrive, and are cut off at the review deadline (3 s
 * here).
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
@TestProfile(RequestMemoryIT.SmallRequestMemory.class)
class RequestMemoryIT {

    public static final class SmallRequestMemory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "tailor.request-memory",
                    Integer.toString(8 << 20),
                    "tailor.review-deadline",
                    "3s",
                    "tailor.reviews-in-flight",
                    "8",
                    // The API server proves who it is with a client certificate of the test CA.
                    "tailor.admission-callers.client-ca",
                    "${tailor.ingest.client-ca}");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    @TestHTTPResource(value = "/", tls = true, management = true)
    URL management;

    @jakarta.inject.Inject
    RequestMemory memory;

    @jakarta.inject.Inject
    EventLoopAdmission admission;

    @jakarta.inject.Inject
    ErrorBodies errorBodies;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    /** How many reviews the webhook counted as refused for {@code reason} so far. */
    private double refused(String reason) {
        String metrics = WebhookUnderTest.https(management).get("/q/metrics").asString();
        String line = "tailor_admission_refused_total{endpoint=\"validate\",reason=\"" + reason + "\"} ";
        return metrics.lines()
                .filter(l -> l.startsWith(line))
                .mapToDouble(l -> Double.parseDouble(l.substring(line.length())))
                .sum();
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
        double tooLargeBefore = refused("too-large");
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
        assertEquals(2.0, refused("too-large") - tooLargeBefore);
    }

    @Test
    void aReviewThatWaitedPastTheBorrowTimeoutForTheMemoryIsRefusedAsBusy() throws Exception {
        double busyBefore = refused("busy");
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
        assertEquals(1.0, refused("busy") - busyBefore);
    }

    /**
     * A connection that sent the headers of a review to /validate and {@code sent} bytes of its body, then stalls: of
     * {@code length} bytes as its Content-Length, or chunked when {@code length} is -1.
     */
    private SSLSocket stalledReview(long length, byte[] review, int sent) throws Exception {
        SSLSocket socket = (SSLSocket)
                DevTlsResource.trustingTestCa().getSocketFactory().createSocket(url.getHost(), url.getPort());
        socket.startHandshake();
        String framing = length >= 0 ? "Content-Length: " + length : "Transfer-Encoding: chunked";
        var out = socket.getOutputStream();
        out.write(("POST /validate HTTP/1.1\r\nHost: " + url.getHost() + "\r\nContent-Type: application/json\r\n"
                        + framing + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        if (length < 0) {
            out.write((Integer.toHexString(sent) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.write(review, 0, sent);
        out.flush();
        return socket;
    }

    /** Polls {@code condition} for at most {@code millis}; whether it held. */
    private static boolean within(long millis, java.util.function.BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void slowReviewBodiesHoldOnlyWhatTheySentAndAreCutOffAtTheDeadline() throws Exception {
        double cutOffBefore = refused("deadline");
        // A large review that fits (about 6 MiB of the 8 once read), its headers sent and then only part of its
        // body — as anyone who reaches the port could: 8 bytes of it over HTTP/1.1, announced; 8 over HTTP/2,
        // announced (the stream is reset at the deadline, not the connection); all but 100 bytes of it, chunked.
        byte[] large = review(2_000);
        long capacity = memory.capacityBytes();
        int most = large.length - 100;
        try (SSLSocket announced = stalledReview(large.length, large, 8);
                SSLSocket chunked = stalledReview(-1, large, most);
                SubmissionPublisher<ByteBuffer> stalledStream = new SubmissionPublisher<>()) {
            CompletableFuture<HttpResponse<String>> overHttp2 = DevTlsResource.client(HttpClient.Version.HTTP_2)
                    .sendAsync(
                            HttpRequest.newBuilder(URI.create(url.toString()).resolve("/validate"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.fromPublisher(stalledStream, large.length))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            stalledStream.submit(ByteBuffer.wrap(large, 0, 8));
            // Each holds two bytes per byte it sent, in units of 64 bytes: one unit for each stalled at 8 bytes, and
            // what it sent for the third — not the 64 bytes per announced byte (6 MiB each) they once held.
            long held = 2 * 64 + ((2L * most + 63) / 64) * 64;
            assertTrue(
                    within(5_000, () -> memory.availableBytes() == capacity - held),
                    "the three bodies hold " + (capacity - memory.availableBytes()) + " bytes, not " + held);
            // Every review after them is answered at once: a pod's, and one as large as theirs. (Before, a stalled
            // body held 64 bytes of heap per announced byte, and the pod's review waited 2 s for a 503.)
            long start = System.nanoTime();
            for (byte[] body : List.of(review(0), large)) {
                HttpResponse<String> answer = post(body, true);
                assertEquals(200, answer.statusCode(), answer.body());
                assertTrue(answer.body().contains("\"allowed\":true"), answer.body());
            }
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited < 1_500, "answered in " + waited + " ms");

            // At the deadline all three are cut off, unanswered, and what they held is given back.
            for (SSLSocket stalled : List.of(announced, chunked)) {
                stalled.setSoTimeout(10_000);
                assertEquals(0, readUntilClosed(stalled), "closed by the webhook, unanswered");
            }
            ExecutionException reset =
                    assertThrows(ExecutionException.class, () -> overHttp2.get(10, TimeUnit.SECONDS));
            assertTrue(reset.getCause() instanceof java.io.IOException, reset.toString());
            assertTrue(
                    within(2_000, () -> memory.availableBytes() == capacity),
                    "given back: " + memory.availableBytes() + " of " + capacity);
        }
        assertEquals(3.0, refused("deadline") - cutOffBefore);
    }

    @Test
    void aBodyThatCannotBeHeldAsItArrivesIsRefusedAsBusyAndSmallReviewsPassBeside() throws Exception {
        // Bodies arriving hold all but 64 KiB of their quarter (as many sent slowly at once would): a review of
        // 100 KB is refused as its body outgrows what is left, at once; a pod's review, a few KB, is answered.
        double busyBefore = refused("busy");
        RequestMemory.Share arrivals = memory.arrivals();
        byte[] fits = review(2_000);
        RequestMemory.Reservation arriving =
                arrivals.reserveNow(arrivals.largestBody() - (64 << 10)).orElseThrow();
        try {
            for (boolean announced : new boolean[] {true, false}) {
                long start = System.nanoTime();
                HttpResponse<String> busy = post(fits, announced);
                long waited = (System.nanoTime() - start) / 1_000_000;
                assertEquals(503, busy.statusCode(), busy.body());
                assertTrue(busy.body().contains("too many large AdmissionReviews in flight"), busy.body());
                assertTrue(waited < 1_500, "refused after " + waited + " ms");
            }
            HttpResponse<String> small = post(review(0), true);
            assertEquals(200, small.statusCode(), small.body());
        } finally {
            arriving.close();
        }
        assertEquals(2.0, refused("busy") - busyBefore);
        HttpResponse<String> after = post(fits, true);
        assertEquals(200, after.statusCode(), "once the arrivals are given back: " + after.body());
    }

    @Test
    void theApiServersReviewsPassWhileOthersBodiesHoldAllTheArrivals() throws Exception {
        // Bodies sent slowly by anyone who reaches the port hold all of the arrivals' quarter. A review from a caller
        // without the API server's client certificate waits, then is refused as busy; the API server's is answered.
        RequestMemory.Share arrivals = memory.arrivals();
        RequestMemory.Reservation arriving =
                arrivals.reserveNow(arrivals.largestBody()).orElseThrow();
        try {
            HttpResponse<String> anonymous = post(review(0), true);
            assertEquals(503, anonymous.statusCode(), anonymous.body());
            HttpResponse<String> apiServer = fromApiServer(review(0));
            assertEquals(200, apiServer.statusCode(), apiServer.body());
            assertTrue(apiServer.body().contains("\"allowed\":true"), apiServer.body());
        } finally {
            arriving.close();
        }
    }

    @Test
    void requestsOpenBeyondTheCountAreRefusedAtOnceAndTheApiServersPassBeside() throws Exception {
        // Anyone who reaches the port opens review streams that send 8 bytes and stall: 8 of them, the count allowed
        // here (512 connections of 16 streams each could otherwise hold 8,192).
        double refusedBefore = refused("in-flight");
        byte[] pod = review(0);
        HttpClient http2 = DevTlsResource.client(HttpClient.Version.HTTP_2);
        List<SubmissionPublisher<ByteBuffer>> stalled = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> open = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                SubmissionPublisher<ByteBuffer> body = new SubmissionPublisher<>();
                stalled.add(body);
                open.add(http2.sendAsync(
                        HttpRequest.newBuilder(URI.create(url.toString()).resolve("/validate"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.fromPublisher(body, pod.length))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
                body.submit(ByteBuffer.wrap(pod, 0, 8));
            }
            assertTrue(within(5_000, () -> admission.othersOpen() == 8), "open: " + admission.othersOpen());

            // One more is refused, its body never evaluated: a 503 over HTTP/1.1 and over HTTP/2 alike.
            long start = System.nanoTime();
            HttpResponse<String> overHttp1 = post(pod, true);
            assertEquals(503, overHttp1.statusCode(), overHttp1.body());
            assertTrue(overHttp1.body().contains("too many admission requests open at once"), overHttp1.body());
            HttpResponse<String> overHttp2 = http2.sendAsync(validate(pod), HttpResponse.BodyHandlers.ofString())
                    .get(2, TimeUnit.SECONDS);
            assertEquals(503, overHttp2.statusCode(), overHttp2.body());
            assertTrue(overHttp2.body().contains("too many admission requests open at once"), overHttp2.body());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited < 1_500, "refused after " + waited + " ms");

            // The API server, proving who it is, is not counted with them.
            HttpResponse<String> apiServer = fromApiServer(pod);
            assertEquals(200, apiServer.statusCode(), apiServer.body());
            assertEquals(2.0, refused("in-flight") - refusedBefore);

            // The deadline cuts the stalled ones off, and the count is free again.
            for (CompletableFuture<HttpResponse<String>> cut : open) {
                assertThrows(ExecutionException.class, () -> cut.get(10, TimeUnit.SECONDS));
            }
            assertTrue(within(2_000, () -> admission.othersOpen() == 0), "open: " + admission.othersOpen());
            HttpResponse<String> after = post(pod, true);
            assertEquals(200, after.statusCode(), after.body());
        } finally {
            stalled.forEach(SubmissionPublisher::close);
        }
    }

    @Test
    void refusalsOverHttp2LeaveTheConnectionAndOnlyStalledRefusedBodiesBeyondTheirCountAreReset() throws Exception {
        double refusedBefore = refused("in-flight");
        byte[] pod = review(0);
        HttpClient holder = DevTlsResource.client(HttpClient.Version.HTTP_2);
        HttpClient caller = DevTlsResource.client(HttpClient.Version.HTTP_2);
        List<SubmissionPublisher<ByteBuffer>> stalled = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> open = new ArrayList<>();
        assertTrue(
                within(5_000, () -> admission.othersOpen() == 0 && admission.othersDraining() == 0),
                "open before: " + admission.othersOpen() + ", draining: " + admission.othersDraining());
        try {
            // The count (8 here) held by stalled bodies.
            for (int i = 0; i < 8; i++) {
                open.add(stalledReview(holder, pod, stalled));
            }
            assertTrue(within(5_000, () -> admission.othersOpen() == 8), "open: " + admission.othersOpen());

            // 300 more on one client's connection, 30 at a time: every one answered 503 once its body is read. Netty
            // closes a connection on which 200 streams are reset within 30 s, and every request on it with it.
            for (int round = 0; round < 10; round++) {
                List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    burst.add(caller.sendAsync(validate(pod), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> refused : burst) {
                    HttpResponse<String> answer = refused.get(10, TimeUnit.SECONDS);
                    assertEquals(503, answer.statusCode(), answer.body());
                }
            }
            assertEquals(300.0, refused("in-flight") - refusedBefore);
            assertTrue(within(2_000, () -> admission.othersDraining() == 0), "draining: " + admission.othersDraining());

            // Refused bodies that stall are counted apart, up to four times the count; one more is reset at once.
            for (int i = 0; i < 32; i++) {
                open.add(stalledReview(holder, pod, stalled));
            }
            assertTrue(
                    within(5_000, () -> admission.othersDraining() == 32), "draining: " + admission.othersDraining());
            long start = System.nanoTime();
            CompletableFuture<HttpResponse<String>> beyond =
                    caller.sendAsync(validate(pod), HttpResponse.BodyHandlers.ofString());
            ExecutionException reset = assertThrows(ExecutionException.class, () -> beyond.get(2, TimeUnit.SECONDS));
            assertTrue(reset.getCause() instanceof java.io.IOException, reset.toString());
            assertTrue((System.nanoTime() - start) / 1_000_000 < 1_500, "reset late");

            // The deadline (3 s) cuts every stalled body off, and both counts are free again.
            for (CompletableFuture<HttpResponse<String>> cut : open) {
                assertThrows(ExecutionException.class, () -> cut.get(10, TimeUnit.SECONDS));
            }
            assertTrue(within(2_000, () -> admission.othersOpen() == 0 && admission.othersDraining() == 0));
            HttpResponse<String> after = caller.send(validate(pod), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, after.statusCode(), after.body());
        } finally {
            stalled.forEach(SubmissionPublisher::close);
        }
    }

    @Test
    void bodiesAnsweredBeforeTheyAreReadLingerUpToTheirCountAndAreCutOffAtTheDeadline() throws Exception {
        // Posts to a path that does not exist, each answered 404 at once while its body stalls after 8 bytes: the rest
        // would be read and dropped as it came, up to the deadline (3 s here), and four times the count (32 here) may
        // linger so — each holds about 5 KB of heap, and 512 connections of 100 streams could hold 51,200.
        assertTrue(within(5_000, () -> errorBodies.lingering() == 0), "lingering before: " + errorBodies.lingering());
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(DevTlsResource.vertxHttp2());
        try {
            List<CompletableFuture<Long>> resets = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                CompletableFuture<Long> reset = new CompletableFuture<>();
                resets.add(reset);
                assertEquals(404, stalledPost(client, reset).get(5, TimeUnit.SECONDS));
            }
            assertTrue(within(2_000, () -> errorBodies.lingering() == 32), "lingering: " + errorBodies.lingering());
            assertTrue(resets.stream().noneMatch(CompletableFuture::isDone), "a lingering body was cut off early");

            // One more is answered, and its stream reset at once.
            CompletableFuture<Long> beyond = new CompletableFuture<>();
            long start = System.nanoTime();
            assertEquals(404, stalledPost(client, beyond).get(5, TimeUnit.SECONDS));
            assertEquals(0x8L, beyond.get(1, TimeUnit.SECONDS)); // CANCEL
            assertTrue((System.nanoTime() - start) / 1_000_000 < 1_500, "cut off late");
            assertEquals(32, errorBodies.lingering());

            // The deadline cuts the others off.
            for (CompletableFuture<Long> reset : resets) {
                assertEquals(0x8L, reset.get(6, TimeUnit.SECONDS));
            }
            assertTrue(within(1_000, () -> errorBodies.lingering() == 0), "lingering: " + errorBodies.lingering());
        } finally {
            client.close();
        }
    }

    /**
     * A post to a path that does not exist over {@code client}, announcing 1,000 bytes and sending 8: its status once
     * answered; {@code reset} completes with the code of a reset of its stream.
     */
    private CompletableFuture<Integer> stalledPost(
            io.vertx.core.http.HttpClient client, CompletableFuture<Long> reset) {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        client.request(io.vertx.core.http.HttpMethod.POST, url.getPort(), url.getHost(), "/nothing-here")
                .onFailure(status::completeExceptionally)
                .onSuccess(request -> {
                    request.putHeader("Content-Type", "application/json").putHeader("Content-Length", "1000");
                    request.exceptionHandler(failure -> {
                        if (failure instanceof io.vertx.core.http.StreamResetException r) {
                            reset.complete(r.getCode());
                        }
                    });
                    request.response().onSuccess(response -> status.complete(response.statusCode()));
                    request.write(io.vertx.core.buffer.Buffer.buffer(new byte[8]));
                });
        return status;
    }

    /** A review posted to /validate whose body sends 8 bytes and stalls. */
    private CompletableFuture<HttpResponse<String>> stalledReview(
            HttpClient client, byte[] review, List<SubmissionPublisher<ByteBuffer>> stalled) {
        SubmissionPublisher<ByteBuffer> body = new SubmissionPublisher<>();
        stalled.add(body);
        CompletableFuture<HttpResponse<String>> sent = client.sendAsync(
                HttpRequest.newBuilder(URI.create(url.toString()).resolve("/validate"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.fromPublisher(body, review.length))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        body.submit(ByteBuffer.wrap(review, 0, 8));
        return sent;
    }

    private HttpRequest validate(byte[] review) {
        return HttpRequest.newBuilder(URI.create(url.toString()).resolve("/validate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(review))
                .build();
    }

    @Test
    void aRequestRefusedAsItArrivedLeavesTheCountOnceItsBodyIsRead() throws Exception {
        // A review larger than the webhook reads, not announced: answered 413 as it outgrows the cap, the rest of its
        // body read and dropped. Once it is all read the request is over, long before the deadline (3 s here).
        assertTrue(within(5_000, () -> admission.othersOpen() == 0), "open before: " + admission.othersOpen());
        HttpResponse<String> tooLarge = post(review(5_000), false);
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertTrue(within(1_000, () -> admission.othersOpen() == 0), "open: " + admission.othersOpen());
    }

    /** The review posted to /validate over HTTP/2 by the API server, proving who it is with its client certificate. */
    private HttpResponse<String> fromApiServer(byte[] review) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(DevTlsResource.ca.clientContext("kube-apiserver-admission", Duration.ofHours(1)))
                .version(HttpClient.Version.HTTP_2)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(url.toString()).resolve("/validate"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(review))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** The bytes the server sends until it closes the connection (a read timeout, if it does not, fails). */
    private static int readUntilClosed(SSLSocket socket) throws Exception {
        int received = 0;
        try {
            var in = socket.getInputStream();
            while (in.read() != -1) {
                received++;
            }
        } catch (java.net.SocketException | javax.net.ssl.SSLException closed) {
            // closed without a TLS close_notify: closed all the same
        }
        return received;
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

    /**
     * An OTLP request is read whole: one over the memory's share is refused with a 413 that says so. Flow lines and
     * audit batches are read as they arrive, a few MiB at a time: ones over twice the share are read, and handed to the
     * store.
     */
    @Test
    void anOtlpRequestOverTheMemorysShareIsRefusedAndLinesAndAuditBatchesAsLargeAreRead() throws Exception {
        String flows = IngestIT.flowLines(6);
        assertTrue(flows.length() > 2 * memory.batches().largestBody(), flows.length() + " bytes");
        byte[] otlp = IngestIT.otlpJson(flows.lines().toList()).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> tooLarge = post("/ingest/flows/v1/logs", otlp, true);
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertTrue(
                JSON.readTree(tooLarge.body())
                        .path("message")
                        .asText()
                        .contains("the most this webhook stores within its memory"),
                tooLarge.body());
        for (boolean announced : new boolean[] {true, false}) {
            HttpResponse<String> read = post("/ingest/flows", flows.getBytes(StandardCharsets.UTF_8), announced);
            JsonNode answer = JSON.readTree(read.body());
            assertTrue(
                    read.statusCode() == 200
                            ? answer.path("events").asInt() == 2400
                            : read.statusCode() == 503
                                    && answer.path("error")
                                            .asText()
                                            .equals("the batch could not be stored; send it again"),
                    read.statusCode() + " " + read.body());
        }
        // Over twice the share, announced or not: read as it arrives, and handed to the store. The store itself is
        // IngestIT's; here it may be unreachable — a test profile restarts Quarkus, and the JDBC driver registered by
        // the run before is not found from the new class loader — which this answer may then say, as a 503 to resend.
        for (boolean announced : new boolean[] {true, false}) {
            byte[] batch = auditBatch("request-memory-" + announced + "-", 3 << 20);
            assertTrue(batch.length > 2 * memory.batches().largestBody(), batch.length + " bytes");
            HttpResponse<String> read = post("/ingest/audit", batch, announced);
            JsonNode answer = JSON.readTree(read.body());
            assertTrue(
                    read.statusCode() == 200
                            ? answer.path("events").asInt() > 1000
                            : read.statusCode() == 503
                                    && answer.path("error")
                                            .asText()
                                            .equals("the batch could not be stored; send it again"),
                    read.statusCode() + " " + read.body());
        }
    }
}
