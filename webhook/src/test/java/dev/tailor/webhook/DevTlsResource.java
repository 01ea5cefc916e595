package dev.tailor.webhook;

import dev.tailor.harness.DevCertificates;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Serves the webhook under test with a certificate generated for the test run, from a CA generated for it —
 * the files laid out as cert-manager writes them, re-read every second so a test can rotate them.
 */
public class DevTlsResource implements QuarkusTestResourceLifecycleManager {

    static volatile Path dir;
    /** The bearer token the tests' audit webhook backend presents: made per run, never committed. */
    static final String INGEST_TOKEN = java.util.UUID.randomUUID().toString();

    static volatile DevCertificates ca;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("tailor-webhook-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ca = DevCertificates.newAuthority(Duration.ofDays(1));
        issue();
        try {
            Files.writeString(dir.resolve("ingest-tokens"), "first-token-for-other-clusters\n" + INGEST_TOKEN + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "tailor.ingest.token-file", dir.resolve("ingest-tokens").toString(),
                // The test CA also issues the audit backend's client certificates.
                "tailor.ingest.client-ca", dir.resolve("ca.crt").toString(),
                "tailor.store.url",
                        "jdbc:h2:file:" + dir.resolve("observations")
                                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;WRITE_DELAY=0",
                "tailor.tls.cert", dir.resolve("tls.crt").toString(),
                "tailor.tls.key", dir.resolve("tls.key").toString(),
                "tailor.tls.watch-period", "500ms",
                "quarkus.http.test-ssl-port", "0",
                "quarkus.management.test-port", "0",
                "tailor.decision-log.path", dir.resolve("decisions.jsonl").toString());
    }

    /** Issues a new serving certificate into the watched files (a rotation, as cert-manager does it). */
    static X509Certificate issue() {
        return ca.writeServingCertificate(dir, List.of("localhost", "127.0.0.1"), Duration.ofHours(1));
    }

    /** A TLS context that trusts only the test CA. A new one per call, so no TLS session is resumed. */
    static SSLContext trustingTestCa() {
        return ca.clientContext();
    }

    /** Options of a Vert.x HTTP/2 client that trusts only the test CA, all its requests on one connection. */
    static io.vertx.core.http.HttpClientOptions vertxHttp2() {
        return new io.vertx.core.http.HttpClientOptions()
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
                .setSsl(true)
                .setUseAlpn(true)
                .setHttp2MaxPoolSize(1)
                .setTrustOptions(new io.vertx.core.net.PemTrustOptions()
                        .addCertPath(dir.resolve("ca.crt").toString()));
    }

    /** An HTTP client of the given protocol version that trusts only the test CA. */
    static java.net.http.HttpClient client(java.net.http.HttpClient.Version version) {
        return java.net.http.HttpClient.newBuilder()
                .sslContext(ca.clientContext())
                .version(version)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * POSTs JSON to {@code uri} with a client of {@code version} that trusts the test CA: with its length announced, or
     * streamed without one (chunked on HTTP/1.1); {@code headers} are name, value pairs added to the request.
     */
    static java.net.http.HttpResponse<String> postJson(
            java.net.http.HttpClient.Version version,
            java.net.URI uri,
            byte[] body,
            boolean announceLength,
            String... headers)
            throws IOException, InterruptedException {
        java.net.http.HttpRequest.BodyPublisher publisher = announceLength
                ? java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)
                : java.net.http.HttpRequest.BodyPublishers.fromPublisher(
                        java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(publisher);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client(version).send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    static KeyStore trustStore() {
        return ca.trustStore();
    }

    @Override
    public void stop() {
        // The JVM removes no temporary directory by itself: the run's keys, tokens and store go with it here.
        try {
            dev.tailor.util.Trees.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("the test run's directory " + dir + " could not be removed", e);
        }
    }
}
