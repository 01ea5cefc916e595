package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.webhook.fixtures.AdmissionFixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.Test;

/**
 * A certificate rotation while requests are in flight: the files are replaced as cert-manager does, new
 * handshakes get the new certificate — on the management port too — and not one request fails.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class TlsRotationIT {

    @TestHTTPResource(value = "/validate", tls = true)
    URL validate;

    @TestHTTPResource(value = "/", tls = true, management = true)
    URL management;

    @Test
    void rotationUnderLoadServesTheNewCertificateAndFailsNoRequest() throws Exception {
        byte[] body = AdmissionFixtures.all().get(1).review().toString().getBytes(StandardCharsets.UTF_8);
        Set<BigInteger> serials = ConcurrentHashMap.newKeySet();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            futures.add(clients.submit(() -> {
                while (running.get()) {
                    try {
                        serials.add(post(body));
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        long deadline = System.currentTimeMillis() + 1000;
        while (System.currentTimeMillis() < deadline || ok.get() < 20) {
            Thread.sleep(50);
        }
        BigInteger before = serials.iterator().next();
        BigInteger rotated = DevTlsResource.issue().getSerialNumber();
        long rotatedAt = System.nanoTime();
        while (!serials.contains(rotated) && System.nanoTime() - rotatedAt < 15_000_000_000L) {
            Thread.sleep(50);
        }
        long swapMillis = (System.nanoTime() - rotatedAt) / 1_000_000;
        Thread.sleep(500);
        running.set(false);
        for (Future<?> f : futures) {
            f.get();
        }
        clients.shutdown();
        System.out.printf(
                "TLS rotation: %d requests, %d failed, new certificate served %d ms after the files changed%n",
                ok.get() + failures.size(), failures.size(), swapMillis);
        assertEquals(List.of(), failures.stream().limit(5).toList(), failures.size() + " requests failed");
        assertTrue(serials.contains(before), "old certificate never seen");
        assertTrue(serials.contains(rotated), "new certificate never served: saw " + serials);
        assertEquals(rotated, managementSerial(), "the management port serves the same certificate, rotated too");
    }

    /** The serial of the certificate the management port serves to a new handshake. */
    private BigInteger managementSerial() throws Exception {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) DevTlsResource.trustingTestCa()
                .getSocketFactory()
                .createSocket(management.getHost(), management.getPort())) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** One request on a fresh connection and fresh TLS session; returns the serial of the served certificate. */
    private BigInteger post(byte[] body) throws Exception {
        HttpsURLConnection connection = (HttpsURLConnection) validate.openConnection();
        connection.setSSLSocketFactory(DevTlsResource.trustingTestCa().getSocketFactory());
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setRequestProperty("Connection", "close");
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(5000);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        int status = connection.getResponseCode();
        BigInteger serial = ((X509Certificate) connection.getServerCertificates()[0]).getSerialNumber();
        try (InputStream in = connection.getInputStream()) {
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200 || !response.contains("\"allowed\"")) {
                throw new IllegalStateException("HTTP " + status + ": " + response);
            }
        } finally {
            connection.disconnect();
        }
        return serial;
    }
}
