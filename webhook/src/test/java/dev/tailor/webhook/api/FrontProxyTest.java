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

    @Test
    void aRotatedOrNewFrontProxyIsBelievedWithoutARestartAndAFailedReadChangesNothing() {
        io.fabric8.kubernetes.client.server.mock.KubernetesMockServer api =
                new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(
                        new io.fabric8.mockwebserver.Context(),
                        new io.fabric8.mockwebserver.MockWebServer(),
                        new java.util.HashMap<>(),
                        new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(),
                        true);
        api.init(java.net.InetAddress.getLoopbackAddress(), 0);
        // No retries: the read that fails below fails at once.
        try (io.fabric8.kubernetes.client.KubernetesClient base = api.createClient();
                io.fabric8.kubernetes.client.KubernetesClient client =
                        new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(base.getConfiguration())
                                        .withRequestRetryBackoffLimit(0)
                                        .withConnectionTimeout(1000)
                                        .withRequestTimeout(1000)
                                        .build())
                                .build()) {
            FrontProxy proxy = new FrontProxy(client);
            assertEquals(FrontProxy.Settings.NONE, proxy.settings(), "no front proxy yet");

            publish(client, frontProxyCa);
            proxy.refresh();
            assertEquals(List.of(frontProxyCa.caCertificate()), proxy.authorities());

            publish(client, otherCa); // the API server's request-header CA rotated
            proxy.refresh();
            assertEquals(List.of(otherCa.caCertificate()), proxy.authorities());
            assertTrue(proxy.authenticate(issued(otherCa, "front-proxy-client"), HEADERS)
                    .isPresent());
            assertTrue(proxy.authenticate(issued(frontProxyCa, "front-proxy-client"), HEADERS)
                    .isEmpty());

            api.destroy(); // the API cannot be reached: what was read stays in force
            proxy.refresh();
            assertEquals(List.of(otherCa.caCertificate()), proxy.authorities());
            proxy.stop();
        } finally {
            api.destroy();
        }
    }

    private static void publish(io.fabric8.kubernetes.client.KubernetesClient client, DevCertificates ca) {
        client.configMaps()
                .inNamespace(FrontProxy.NAMESPACE)
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withNamespace(FrontProxy.NAMESPACE)
                        .withName(FrontProxy.CONFIG_MAP)
                        .endMetadata()
                        .addToData("requestheader-client-ca-file", ca.caPem())
                        .addToData("requestheader-allowed-names", "[\"front-proxy-client\"]")
                        .addToData("requestheader-username-headers", "[\"X-Remote-User\"]")
                        .addToData("requestheader-group-headers", "[\"X-Remote-Group\"]")
                        .addToData("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]")
                        .build())
                .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    }
}
