package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reviews naming namespaces the cache does not know (anyone who reaches the port may send one, naming any namespace):
 * the API server is asked within a bound, and never from an event loop. The test profile configures no API server
 * identity, so every caller is believed to be the API server and its misses may be asked.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class NamespaceLookupIT {

    @KubernetesTestServer
    KubernetesServer server;

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    @TestHTTPResource(value = "/", tls = true, management = true)
    URL management;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    private WebhookUnderTest webhook;

    @BeforeEach
    void namespacesInAuditMode() throws Exception {
        webhook = new WebhookUnderTest(server.getClient(), url, management);
        webhook.namespacesInAuditMode();
    }

    /**
     * 200 reviews, each naming a namespace no one made: all answered (by the default mode, audit), and the API server
     * asked for at most the burst and the rate over the time they took — not once per review, as before, which let
     * anyone who reaches the port make the webhook read from the API server as fast as it answers reviews.
     */
    @Test
    void namespacesNotKnownAreAskedOfTheApiServerWithinABound() throws Exception {
        int reviews = 200;
        requestsSoFar(); // the informers' and the set-up's
        long start = System.nanoTime();
        for (int i = 0; i < reviews; i++) {
            Response r = webhook.post("/validate", podReview("made-up-" + i));
            assertEquals(200, r.statusCode());
            assertTrue(r.jsonPath().getBoolean("response.allowed"), r.asString());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long asked = requestsSoFar().stream()
                .filter(q -> q.getMethod().equals("GET") && q.getPath().startsWith("/api/v1/namespaces/made-up-"))
                .count();
        long bound = NamespaceCache.ASK_BURST + (long) Math.ceil(seconds * NamespaceCache.ASKS_PER_SECOND);
        assertTrue(
                asked >= 1 && asked <= bound,
                "asked " + asked + " times for " + reviews + " reviews in " + seconds + " s, bound " + bound);
    }

    /**
     * A review whose namespace the API server is slow to give is answered off the event loop: a review sent after it
     * on the same HTTP/2 connection (one event loop) is answered long before it. Asked on the event loop, as before,
     * the loop waited the lookup's second for every connection on it.
     */
    @Test
    void aNamespaceAskedOfASlowApiServerHoldsNoEventLoop() throws Exception {
        server.expect()
                .get()
                .delay(1500, TimeUnit.MILLISECONDS)
                .withPath("/api/v1/namespaces/slow-to-answer")
                .andReturn(404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":404}")
                .always();
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(DevTlsResource.vertxHttp2());
        try {
            post(client, podReview("shop")).get(10, TimeUnit.SECONDS); // the connection, warmed
            CompletableFuture<Long> slow = post(client, podReview("slow-to-answer"));
            Thread.sleep(100);
            CompletableFuture<Long> known = post(client, podReview("shop"));
            long knownMillis = known.get(10, TimeUnit.SECONDS);
            long slowMillis = slow.get(10, TimeUnit.SECONDS);
            assertTrue(
                    knownMillis < 500 && slowMillis >= 900,
                    "the known namespace's review took " + knownMillis + " ms, the slow one's " + slowMillis + " ms");
        } finally {
            client.close();
        }
    }

    /**
     * Reviews waiting for the API server hold a worker thread each: with the API server slow to answer, 16 reviews
     * naming 16 namespaces not known at once on one connection — at most {@link NamespaceCache#WAITING} wait (the
     * lookup's second), the others are answered at once by the default mode.
     */
    @Test
    void atMostAFewReviewsWaitForASlowApiServer() throws Exception {
        int reviews = 16;
        for (int i = 0; i < reviews; i++) {
            server.expect()
                    .get()
                    .delay(1500, TimeUnit.MILLISECONDS)
                    .withPath("/api/v1/namespaces/slow-" + i)
                    .andReturn(404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":404}")
                    .always();
        }
        Thread.sleep(2100); // the asking budget refilled, whatever ran before
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(DevTlsResource.vertxHttp2());
        try {
            post(client, podReview("shop")).get(10, TimeUnit.SECONDS); // the connection, warmed
            List<CompletableFuture<Long>> answers = new ArrayList<>();
            for (int i = 0; i < reviews; i++) {
                answers.add(post(client, podReview("slow-" + i)));
            }
            int waited = 0;
            for (CompletableFuture<Long> answer : answers) {
                waited += answer.get(10, TimeUnit.SECONDS) >= 900 ? 1 : 0;
            }
            assertTrue(
                    waited >= 1 && waited <= NamespaceCache.WAITING,
                    waited + " of " + reviews + " reviews waited for the API server");
        } finally {
            client.close();
        }
    }

    /** A hostNetwork pod's review in {@code namespace}. */
    private ObjectNode podReview(String namespace) {
        ObjectNode review = webhook.fixture("pod-host-network").review().deepCopy();
        ObjectNode request = (ObjectNode) review.get("request");
        request.put("namespace", namespace);
        ((ObjectNode) request.path("object").path("metadata")).put("namespace", namespace);
        return review;
    }

    /** POSTs a review on the client's one connection; completes with the milliseconds until its answer came. */
    private CompletableFuture<Long> post(io.vertx.core.http.HttpClient client, ObjectNode review) {
        long start = System.nanoTime();
        return client.request(io.vertx.core.http.HttpMethod.POST, url.getPort(), url.getHost(), "/validate")
                .compose(request -> request.putHeader("Content-Type", "application/json")
                        .send(review.toString())
                        .compose(response -> response.body().map(body -> {
                            if (response.statusCode() != 200) {
                                throw new AssertionError(response.statusCode() + ": " + body);
                            }
                            return (System.nanoTime() - start) / 1_000_000;
                        })))
                .toCompletionStage()
                .toCompletableFuture();
    }

    /** The requests the Kubernetes test server received since this was last asked. */
    private List<RecordedRequest> requestsSoFar() throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        for (RecordedRequest r;
                (r = server.getKubernetesMockServer().takeRequest(10, TimeUnit.MILLISECONDS)) != null; ) {
            requests.add(r);
        }
        return requests;
    }
}
