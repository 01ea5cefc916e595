package dev.tailor.webhook;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.webhook.fixtures.AdmissionFixtures;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URL;
import java.util.List;
import java.util.Map;

/**
 * The webhook under test as its integration tests reach it: over HTTPS with the development CA, beside the
 * Kubernetes test server its informers watch. Each test class makes one around its injected server and URLs (the
 * admission port's and the management port's, where health and metrics are served).
 */
final class WebhookUnderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient kube;
    private final URL url;
    private final URL management;

    WebhookUnderTest(KubernetesClient kube, URL url, URL management) {
        this.kube = kube;
        this.url = url;
        this.management = management;
    }

    KubernetesClient kube() {
        return kube;
    }

    RequestSpecification https() {
        return https(url);
    }

    /** RestAssured on the management port: {@code /q/health}, {@code /q/metrics}. */
    RequestSpecification management() {
        return https(management);
    }

    /**
     * RestAssured on the webhook's HTTPS port at {@code url} (its root: the management port's URL Quarkus injects ends
     * in its root path, {@code /q/}), trusting the development CA.
     */
    static RequestSpecification https(URL url) {
        return given().baseUri(url.getProtocol() + "://" + url.getHost() + ":" + url.getPort())
                .config(RestAssuredConfig.config()
                        .sslConfig(SSLConfig.sslConfig().trustStore(DevTlsResource.trustStore())));
    }

    void namespacesInAuditMode() throws Exception {
        AdmissionFixtures.namespaces().forEach((name, annotations) -> setMode(name, annotations, "audit"));
        awaitReady();
        for (String name : AdmissionFixtures.namespaces().keySet()) {
            awaitMode(name, "audit");
        }
    }

    /**
     * What any test here may make, removed after each whether it passed or not, so that no test sees another's
     * objects whatever order they run in.
     */
    void removeWhatTestsMade() {
        for (String policy : List.of("tailor-deployment-checkout", "tailor-deployment-checkout-2")) {
            kube().network()
                    .v1()
                    .networkPolicies()
                    .inNamespace("shop")
                    .withName(policy)
                    .delete();
        }
        kube().rbac()
                .roleBindings()
                .inNamespace("shop")
                .withName("tailor-checkout")
                .delete();
        kube().pods().inNamespace("shop").withName("legacy-agent").delete();
        kube().genericKubernetesResources(ApprovedObjects.SECCOMP_PROFILES)
                .inNamespace("shop")
                .delete();
        for (String namespace : List.of("drifted", "fresh-0", "fresh-1", "fresh-2", "fresh-3", "fresh-4")) {
            kube().namespaces().withName(namespace).delete();
        }
    }

    void setMode(String name, Map<String, String> annotations, String mode) {
        var ns = new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToAnnotations(annotations)
                .addToAnnotations("tailor.dev/mode", mode)
                .addToLabels("tailor.dev/mode", mode)
                .endMetadata()
                .build();
        kube().namespaces().resource(ns).createOr(NonDeletingOperation::update);
    }

    void awaitReady() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (management().get("/q/health/ready").statusCode() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "webhook not ready: " + management().get("/q/health/ready").asString());
    }

    Response post(String path, JsonNode review) {
        return https().contentType("application/json").body(review.toString()).post(path);
    }

    AdmissionFixtures.Case fixture(String name) {
        return AdmissionFixtures.all().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** Waits until a hostNetwork pod in {@code ns} gets the verdict of {@code mode}; returns the milliseconds. */
    long awaitMode(String ns, String mode) throws InterruptedException {
        JsonNode review = fixture(ns.equals("legacy") ? "pod-host-network" : "deployment-host-network")
                .review();
        long start = System.nanoTime();
        boolean wantAllowed = mode.equals("audit");
        while (System.nanoTime() - start < 10_000_000_000L) {
            if (post("/validate", review).jsonPath().getBoolean("response.allowed") == wantAllowed) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(ns + " did not switch to " + mode + " within 10 s");
    }

    void approve(String name, String account) {
        kube().network()
                .v1()
                .networkPolicies()
                .inNamespace("shop")
                .resource(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace("shop")
                        .withLabels(Map.of(
                                "app.kubernetes.io/managed-by", "tailor", "tailor.dev/workload", "deployment.checkout"))
                        .withAnnotations(Map.of("tailor.dev/service-account", account))
                        .endMetadata()
                        .withNewSpec()
                        .withNewPodSelector()
                        .withMatchLabels(Map.of("app", "checkout"))
                        .endPodSelector()
                        .withPolicyTypes("Ingress")
                        .endSpec()
                        .build())
                .createOr(NonDeletingOperation::update);
    }

    double outOfStep() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^tailor_namespaces_out_of_step (\\S+)$")
                .matcher(management().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    static String storeUrl() {
        return "jdbc:h2:file:" + DevTlsResource.dir.resolve("observations")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;WRITE_DELAY=0";
    }
}
