package dev.tailor.webhook.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.harness.DevCertificates;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whose X-Remote-* headers are believed: only the API server's front proxy's. */
class FrontProxyTest {

    @TempDir
    Path dir;

    private final DevCertificates frontProxyCa = DevCertificates.newAuthority(Duration.ofHours(1));
    private final DevCertificates otherCa = DevCertificates.newAuthority(Duration.ofHours(1));

    private FrontProxy.Settings settings(List<String> allowedNames) {
        return new FrontProxy.Settings(
                List.of(frontProxyCa.caCertificate()),
                allowedNames,
                List.of("X-Remote-User"),
                List.of("X-Remote-Group"),
                List.of("X-Remote-Extra-"));
    }

    private X509Certificate issued(DevCertificates ca, String name) {
        return ca.writeServingCertificate(
                dir.resolve(name + "-" + System.nanoTime()), List.of(name), Duration.ofHours(1));
    }

    private static final Map<String, List<String>> HEADERS = Map.of(
            "x-remote-user",
            List.of("alice"),
            "x-remote-group",
            List.of("tailor-admins", "system:authenticated"),
            "x-remote-extra-authentication.kubernetes.io%2fpod-name",
            List.of("cli-7f9c"),
            "x-other",
            List.of("x"));

    @Test
    void theFrontProxysCertificateVouchesForTheUserInItsHeaders() {
        Optional<FrontProxy.User> user = FrontProxy.authenticate(
                settings(List.of("front-proxy-client")), issued(frontProxyCa, "front-proxy-client"), HEADERS);
        assertEquals(
                Optional.of(new FrontProxy.User(
                        "alice",
                        List.of("tailor-admins", "system:authenticated"),
                        Map.of("authentication.kubernetes.io/pod-name", List.of("cli-7f9c")))),
                user);
    }

    @Test
    void aCertificateFromAnotherCaOrToAnotherNameVouchesForNoOne() {
        // Same subject DN (both dev CAs are named alike), other key: the signature decides.
        assertEquals(
                Optional.empty(),
                FrontProxy.authenticate(
                        settings(List.of("front-proxy-client")), issued(otherCa, "front-proxy-client"), HEADERS));
        // The front proxy's CA, but issued to someone the API server does not list (e.g. another client of that CA).
        assertEquals(
                Optional.empty(),
                FrontProxy.authenticate(
                        settings(List.of("front-proxy-client")), issued(frontProxyCa, "mallory"), HEADERS));
        // No certificate, or no front proxy configured on the API server.
        assertEquals(Optional.empty(), FrontProxy.authenticate(settings(List.of()), null, HEADERS));
        assertEquals(
                Optional.empty(),
                FrontProxy.authenticate(FrontProxy.Settings.NONE, issued(frontProxyCa, "front-proxy-client"), HEADERS));
    }

    @Test
    void withoutAUserHeaderThereIsNoUser() {
        assertEquals(
                Optional.empty(),
                FrontProxy.authenticate(
                        settings(List.of()),
                        issued(frontProxyCa, "any"),
                        Map.of("x-remote-group", List.of("system:masters"))));
        // No allowed names listed: any certificate of the CA is the front proxy, as the API server has it.
        assertTrue(FrontProxy.authenticate(settings(List.of()), issued(frontProxyCa, "any"), HEADERS)
                .isPresent());
    }
}
