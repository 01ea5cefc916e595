package dev.tailor.webhook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.webhook.fixtures.AdmissionFixtures;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URL;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook over HTTPS, with its namespace informer on the Kubernetes test server: every fixture both ways,
 * the annotation flip audit → enforce → audit without a restart, the bad-input table over HTTP, health and
 * metrics.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class WebhookIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @KubernetesTestServer
    KubernetesServer server;

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    private KubernetesClient kube() {
        return server.getClient();
    }

    private RequestSpecification https() {
        return given().baseUri(url.toString())
                .config(RestAssuredConfig.config()
                        .sslConfig(SSLConfig.sslConfig().trustStore(DevTlsResource.trustStore())));
    }

    @BeforeEach
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
    @org.junit.jupiter.api.AfterEach
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
        for (String namespace : List.of("drifted", "fresh-0", "fresh-1", "fresh-2", "fresh-3", "fresh-4")) {
            kube().namespaces().withName(namespace).delete();
        }
    }

    private void setMode(String name, Map<String, String> annotations, String mode) {
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

    private void awaitReady() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (https().get("/q/health/ready").statusCode() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "webhook not ready: " + https().get("/q/health/ready").asString());
    }

    private Response post(String path, JsonNode review) {
        return https().contentType("application/json").body(review.toString()).post(path);
    }

    private static AdmissionFixtures.Case fixture(String name) {
        return AdmissionFixtures.all().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** Waits until a hostNetwork pod in {@code ns} gets the verdict of {@code mode}; returns the milliseconds. */
    private long awaitMode(String ns, String mode) throws InterruptedException {
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

    @Test
    void everyFixtureIsWarnedInAuditAndDeniedInEnforce() throws Exception {
        for (AdmissionFixtures.Case c : AdmissionFixtures.all()) {
            Response r = post("/validate", c.review());
            r.then()
                    .statusCode(200)
                    .body("apiVersion", equalTo("admission.k8s.io/v1"))
                    .body(
                            "response.uid",
                            equalTo(c.review().path("request").path("uid").asText()));
            boolean guard = c.expectedChecks().contains("namespaceAnnotationGuard");
            assertEquals(!guard, r.jsonPath().getBoolean("response.allowed"), c.name());
            if (!guard) {
                List<String> warnings = r.jsonPath().getList("response.warnings", String.class);
                List<String> warned = warnings == null
                        ? List.of()
                        : warnings.stream()
                                .map(w -> w.replace("[tailor audit] would be denied in enforce mode: ", "")
                                        .split(":")[0])
                                .sorted()
                                .toList();
                assertEquals(c.expectedChecks(), warned, c.name());
            }
        }
        AdmissionFixtures.namespaces().forEach((name, annotations) -> setMode(name, annotations, "enforce"));
        for (String name : AdmissionFixtures.namespaces().keySet()) {
            awaitMode(name, "enforce");
        }
        for (AdmissionFixtures.Case c : AdmissionFixtures.all()) {
            if (c.namespace().isEmpty()) {
                continue; // cluster-scoped: tailor.cluster-scoped-mode, audit by default
            }
            Response r = post("/validate", c.review());
            assertEquals(c.expectedChecks().isEmpty(), r.jsonPath().getBoolean("response.allowed"), c.name());
            if (!c.expectedChecks().isEmpty()) {
                assertEquals(403, r.jsonPath().getInt("response.status.code"), c.name());
                String message = r.jsonPath().getString("response.status.message");
                for (String check : c.expectedChecks()) {
                    assertTrue(message.contains(check + ": "), c.name() + ": " + message);
                }
            }
        }
    }

    @Test
    void annotationFlipTakesEffectWithoutRestart() throws Exception {
        JsonNode review = fixture("deployment-host-network").review();
        post("/validate", review)
                .then()
                .body("response.allowed", is(true))
                .body(
                        "response.warnings[0]",
                        startsWith("[tailor audit] would be denied in enforce mode: hostNamespaces"));

        setMode("shop", AdmissionFixtures.namespaces().get("shop"), "enforce");
        long toEnforce = awaitMode("shop", "enforce");
        post("/validate", review)
                .then()
                .body("response.allowed", is(false))
                .body("response.status.code", is(403))
                .body("response.status.message", containsString("hostNamespaces: host namespaces (hostNetwork=true)"));

        setMode("shop", AdmissionFixtures.namespaces().get("shop"), "audit");
        long toAudit = awaitMode("shop", "audit");
        // awaitMode gives up after 10 s; the time it took is a number to read, not a pass/fail criterion.
        System.out.printf("annotation flip took effect after %d ms (enforce) and %d ms (audit)%n", toEnforce, toAudit);
    }

    @Test
    void aPodInANamespaceCreatedAnInstantAgoGetsThatNamespacesMode() {
        for (int i = 0; i < 5; i++) {
            String name = "fresh-" + i;
            kube().namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .addToAnnotations("tailor.dev/mode", "enforce")
                            .addToLabels("tailor.dev/mode", "enforce")
                            .endMetadata()
                            .build())
                    .create();
            JsonNode review = fixture("pod-host-network").review().deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) review.get("request")).put("namespace", name);
            post("/validate", review)
                    .then()
                    .body("response.allowed", is(false))
                    .body("response.status.message", containsString("hostNamespaces"));
        }
    }

    @Test
    void guardDeniesANamespaceOwnerInAuditMode() {
        post("/validate", fixture("namespace-owner-switches-to-audit").review())
                .then()
                .body("response.allowed", is(false))
                .body("response.status.message", containsString("namespaceAnnotationGuard"));
        post("/validate", fixture("namespace-admin-switches-to-enforce").review())
                .then()
                .body("response.allowed", is(true));
    }

    @Test
    void switchingToEnforceWarnsOfExistingPodsAndTheChangeIsRecordedAsAnEvent() throws Exception {
        // A pod shop already runs, that enforce mode would reject (host network).
        kube().pods()
                .inNamespace("shop")
                .resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                        .withNewMetadata()
                        .withName("legacy-agent")
                        .withNamespace("shop")
                        .endMetadata()
                        .withNewSpec()
                        .withHostNetwork(true)
                        .addNewContainer()
                        .withName("agent")
                        .withImage("agent:1")
                        .endContainer()
                        .endSpec()
                        .build())
                .createOr(NonDeletingOperation::update);
        post("/validate", fixture("namespace-admin-switches-to-enforce").review())
                .then()
                .body("response.allowed", is(true))
                .body(
                        "response.warnings",
                        org.hamcrest.Matchers.hasItem(
                                "[tailor] existing pods enforce mode would reject: legacy-agent: hostNamespaces"));
        kube().pods().inNamespace("shop").withName("legacy-agent").delete();

        // The annotation reaches the webhook: it records who switched shop, from what, to what.
        setMode("shop", AdmissionFixtures.namespaces().get("shop"), "enforce");
        awaitMode("shop", "enforce");
        io.fabric8.kubernetes.api.model.Event event = null;
        for (int i = 0; i < 100 && event == null; i++) {
            event = kube().v1().events().inNamespace("shop").list().getItems().stream()
                    .filter(e -> e.getReason().equals(NamespaceCache.MODE_CHANGED)
                            && e.getMessage().contains("set by kubernetes-admin"))
                    .findFirst()
                    .orElse(null);
            Thread.sleep(50);
        }
        String message = event == null ? null : event.getMessage();
        assertTrue(
                message != null && message.startsWith("tailor.dev/mode audit -> enforce, set by kubernetes-admin;"),
                String.valueOf(message));
        // A real API server refuses (422) an Event whose involvedObject names another namespace than its own.
        assertEquals("shop", event.getInvolvedObject().getNamespace());
    }

    private void approve(String name, String account) {
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

    @Test
    void twoApprovalsOfOneWorkloadThatDisagreeAreNeitherBelieved() throws Exception {
        JsonNode deployment = fixture("deployment-conforms").review(); // checkout, running as "default"
        approve("tailor-deployment-checkout", "checkout");
        boolean approved = false;
        for (int i = 0; i < 100 && !approved; i++) {
            approved = post("/validate", deployment).asString().contains("approvedServiceAccount");
            Thread.sleep(50);
        }
        assertTrue(approved, "one approval is believed");
        // A second one naming another account (say, forged while the webhook was down): map order used to pick.
        approve("tailor-deployment-checkout-2", "powerful");
        boolean stillApproved = true;
        for (int i = 0; i < 100 && stillApproved; i++) {
            stillApproved = post("/validate", deployment).asString().contains("approvedServiceAccount");
            Thread.sleep(50);
        }
        kube().network()
                .v1()
                .networkPolicies()
                .inNamespace("shop")
                .withName("tailor-deployment-checkout")
                .delete();
        kube().network()
                .v1()
                .networkPolicies()
                .inNamespace("shop")
                .withName("tailor-deployment-checkout-2")
                .delete();
        assertTrue(!stillApproved, "conflicting approvals are neither believed");
    }

    private double outOfStep() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^tailor_namespaces_out_of_step (\\S+)$")
                .matcher(https().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void aNamespaceAnnotatedEnforceButNotLabelledSoIsCounted() throws Exception {
        // Routed to the fail-open entries while the webhook judges it enforced: an operator must hear of it.
        double before = outOfStep();
        kube().namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("drifted")
                        .addToAnnotations("tailor.dev/mode", "enforce")
                        .addToLabels("tailor.dev/mode", "audit")
                        .endMetadata()
                        .build())
                .createOr(NonDeletingOperation::update);
        for (int i = 0; i < 100 && outOfStep() != before + 1; i++) {
            Thread.sleep(50);
        }
        assertEquals(before + 1, outOfStep(), "counted");
        kube().namespaces().withName("drifted").edit(n -> {
            n.getMetadata().getLabels().put("tailor.dev/mode", "enforce");
            return n;
        });
        for (int i = 0; i < 100 && outOfStep() != before; i++) {
            Thread.sleep(50);
        }
        double after = outOfStep();
        kube().namespaces().withName("drifted").delete();
        assertEquals(before, after, "no longer counted once the label is mirrored");
    }

    @jakarta.inject.Inject
    NamespaceCache namespaceCache;

    @Test
    void switchesOfNamespacesThatDoNotExistAreNotRemembered() throws Exception {
        // A review names any namespace its sender likes; one remembered requester per made-up name would fill the heap.
        int before = namespaceCache.pendingModeChanges();
        for (int i = 0; i < 20; i++) {
            com.fasterxml.jackson.databind.node.ObjectNode review =
                    fixture("namespace-admin-switches-to-enforce").review().deepCopy();
            String name = "made-up-" + i + "-" + "x".repeat(40);
            ((com.fasterxml.jackson.databind.node.ObjectNode) review.path("request"))
                    .put("name", name)
                    .put("namespace", name);
            ((com.fasterxml.jackson.databind.node.ObjectNode)
                            review.path("request").path("object").path("metadata"))
                    .put("name", name);
            post("/validate", review).then().statusCode(200);
        }
        assertEquals(before, namespaceCache.pendingModeChanges());
    }

    @Test
    void appliedTailorObjectsBecomeTheApprovedBehaviorAndDriftFromItIsCaught() throws Exception {
        Map<String, String> tailor =
                Map.of("app.kubernetes.io/managed-by", "tailor", "tailor.dev/workload", "deployment.checkout");
        // What a merged Tailor pull request applies for shop's checkout: its NetworkPolicy and its RoleBinding.
        kube().network()
                .v1()
                .networkPolicies()
                .inNamespace("shop")
                .resource(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder()
                        .withNewMetadata()
                        .withName("tailor-deployment-checkout")
                        .withNamespace("shop")
                        .withLabels(tailor)
                        .withAnnotations(Map.of("tailor.dev/service-account", "checkout"))
                        .endMetadata()
                        .withNewSpec()
                        .withNewPodSelector()
                        .withMatchLabels(Map.of("app", "checkout"))
                        .endPodSelector()
                        .withPolicyTypes("Ingress", "Egress")
                        .endSpec()
                        .build())
                .createOr(NonDeletingOperation::update);
        kube().rbac()
                .roleBindings()
                .inNamespace("shop")
                .resource(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("tailor-checkout")
                        .withNamespace("shop")
                        .withLabels(tailor)
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", "tailor-checkout")
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName("checkout")
                        .withNamespace("shop")
                        .endSubject()
                        .build())
                .createOr(NonDeletingOperation::update);

        // checkout's pods run as "default" in the sample: not the approved account (audit mode: a warning).
        JsonNode deployment = fixture("deployment-conforms").review();
        Response response = null;
        for (int i = 0; i < 100; i++) {
            response = post("/validate", deployment);
            if (response.asString().contains("approvedServiceAccount")) {
                break;
            }
            Thread.sleep(50);
        }
        assertTrue(
                response.asString()
                        .contains(
                                "deployment.checkout runs as service account \\\"default\\\", approved is \\\"checkout\\\""),
                response.asString());

        // Deleting the approved NetworkPolicy, and binding the approved account to another role, are drift.
        com.fasterxml.jackson.databind.node.ObjectNode delete =
                (com.fasterxml.jackson.databind.node.ObjectNode) deployment.deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode request =
                (com.fasterxml.jackson.databind.node.ObjectNode) delete.get("request");
        request.putObject("kind")
                .put("group", "networking.k8s.io")
                .put("version", "v1")
                .put("kind", "NetworkPolicy");
        request.putObject("resource")
                .put("group", "networking.k8s.io")
                .put("version", "v1")
                .put("resource", "networkpolicies");
        request.put("name", "tailor-deployment-checkout")
                .put("operation", "DELETE")
                .putNull("object");
        request.putObject("oldObject")
                .put("kind", "NetworkPolicy")
                .putObject("metadata")
                .put("name", "tailor-deployment-checkout")
                .put("namespace", "shop");
        post("/validate", delete)
                .then()
                .body("response.allowed", is(true))
                .body("response.warnings[0]", containsString("approvedNetworkPolicy: approved NetworkPolicy deleted"));

        com.fasterxml.jackson.databind.node.ObjectNode binding =
                (com.fasterxml.jackson.databind.node.ObjectNode) deployment.deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode b =
                (com.fasterxml.jackson.databind.node.ObjectNode) binding.get("request");
        b.putObject("kind")
                .put("group", "rbac.authorization.k8s.io")
                .put("version", "v1")
                .put("kind", "RoleBinding");
        b.put("name", "checkout-edit").put("operation", "CREATE");
        b.set(
                "object",
                new ObjectMapper()
                        .readTree(
                                "{\"kind\": \"RoleBinding\", \"metadata\": {\"name\": \"checkout-edit\","
                                        + " \"namespace\": \"shop\"}, \"roleRef\": {\"kind\": \"ClusterRole\", \"name\": \"edit\"},"
                                        + " \"subjects\": [{\"kind\": \"ServiceAccount\", \"name\": \"checkout\", \"namespace\": \"shop\"}]}"));
        post("/validate", binding)
                .then()
                .body(
                        "response.warnings",
                        org.hamcrest.Matchers.hasItem(
                                containsString(
                                        "approvedRbacDrift: role bound beyond the approved Role (RoleBinding checkout-edit binds ClusterRole edit to service account shop/checkout")));

        kube().network()
                .v1()
                .networkPolicies()
                .inNamespace("shop")
                .withName("tailor-deployment-checkout")
                .delete();
        kube().rbac()
                .roleBindings()
                .inNamespace("shop")
                .withName("tailor-checkout")
                .delete();
    }

    @Test
    void mutateMirrorsTheModeIntoTheNamespaceLabel() {
        JsonNode review =
                fixture("namespace-admin-switches-to-enforce").review().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode)
                        review.path("request").path("object").path("metadata").path("labels"))
                .put("tailor.dev/mode", "audit");
        post("/mutate", review)
                .then()
                .statusCode(200)
                .body("response.allowed", is(true))
                .body("response.patchType", equalTo("JSONPatch"));
        post("/mutate", fixture("pod-restricted-conforms").review())
                .then()
                .body("response.allowed", is(true))
                .body("response.patch", equalTo(null));
    }

    @Test
    void badInputGetsAJsonErrorNeverA500() {
        https().contentType("application/json")
                .body("{not json")
                .post("/validate")
                .then()
                .statusCode(400)
                .body("response.status.message", startsWith("body is not JSON"));
        https().contentType("application/json")
                .body("{\"apiVersion\":\"v1\",\"kind\":\"AdmissionReview\"}")
                .post("/validate")
                .then()
                .statusCode(400)
                .body("response.status.message", startsWith("apiVersion must be admission.k8s.io/v1"));
        https().contentType("text/plain")
                .body("hello")
                .post("/validate")
                .then()
                .statusCode(415)
                .body("response.status.message", startsWith("Content-Type must be application/json"));
        String huge = "{\"apiVersion\":\"admission.k8s.io/v1\",\"pad\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}";
        https().contentType("application/json")
                .body(huge)
                .post("/validate")
                .then()
                .statusCode(413)
                .body("response.status.code", is(413));
        JsonNode missingObject = fixture("pod-host-network").review().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) missingObject.get("request")).remove("object");
        post("/validate", missingObject)
                .then()
                .statusCode(400)
                .body(
                        "response.uid",
                        equalTo(missingObject.path("request").path("uid").asText()))
                .body("response.status.message", equalTo("request.object is missing"));
    }

    @Test
    void unknownKindsAreAllowedWithoutViolations() throws Exception {
        JsonNode review = JSON.readTree("""
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "1e0f3c2a-0000-4000-8000-000000000001",
                   "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                   "resource": {"group": "", "version": "v1", "resource": "configmaps"},
                   "namespace": "shop", "name": "settings", "operation": "CREATE",
                   "userInfo": {"username": "alice"},
                   "object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "b"}}}}""");
        post("/validate", review)
                .then()
                .statusCode(200)
                .body("response.allowed", is(true))
                .body("response.warnings", equalTo(null));
    }

    @Test
    void metricsAndDecisionLogRecordTheDecisions() throws Exception {
        post("/validate", fixture("pod-privileged").review());
        String metrics = https().get("/q/metrics").asString();
        assertTrue(metrics.contains("tailor_admission_seconds_bucket"), "latency histogram missing");
        assertTrue(
                metrics.contains("tailor_decisions_total{check=\"privileged\",verdict=\"warned\"}"),
                "decision counter missing");
        String log = Files.readString(DevTlsResource.dir.resolve("decisions.jsonl"));
        JsonNode last = JSON.readTree(log.lines()
                .filter(l -> l.contains("\"check\":\"privileged\""))
                .reduce((a, b) -> b)
                .orElseThrow());
        assertEquals("legacy", last.path("namespace").asText());
        assertEquals("warned", last.path("verdict").asText());
        assertEquals("Pod", last.path("kind").asText());
    }

    @Test
    void madeUpKindsDoNotGrowTheMetrics() throws Exception {
        // Anyone who reaches the port writes the review: its kind must not become a label value (a made-up operation
        // is refused with 400 before anything is measured).
        for (int i = 0; i < 50; i++) {
            JsonNode review = JSON.readTree("""
                    {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                     "request": {"uid": "1e0f3c2a-0000-4000-8000-0000000001%02d",
                       "kind": {"group": "", "version": "v1", "kind": "MadeUp%d"},
                       "namespace": "shop", "name": "x", "operation": "CREATE",
                       "userInfo": {"username": "mallory"}, "object": {"metadata": {"name": "x"}}}}""".formatted(i, i));
            post("/validate", review).then().statusCode(200);
        }
        String metrics = https().get("/q/metrics").asString();
        assertTrue(metrics.contains("kind=\"other\""), "made-up kinds fold into other");
        assertTrue(!metrics.contains("MadeUp"), "no made-up kind is a label");
    }

    @Test
    void healthIsReadyWithPoliciesAndInformer() {
        https().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'tailor-webhook' }.data.namespaceInformer", equalTo("synced"));
    }
}
