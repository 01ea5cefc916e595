package dev.tailor.webhook;

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
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import java.net.URL;
import java.nio.file.Files;
import java.util.List;
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

    @jakarta.inject.Inject
    NamespaceCache namespaceCache;

    @KubernetesTestServer
    KubernetesServer server;

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    @TestHTTPResource(value = "/", tls = true, management = true)
    URL management;

    private WebhookUnderTest webhook;

    @BeforeEach
    void namespacesInAuditMode() throws Exception {
        webhook = new WebhookUnderTest(server.getClient(), url, management);
        webhook.namespacesInAuditMode();
    }

    /** What any test may make, removed after each whether it passed or not (no test sees another's objects). */
    @org.junit.jupiter.api.AfterEach
    void removeWhatTestsMade() {
        webhook.removeWhatTestsMade();
    }

    @Test
    void everyFixtureIsWarnedInAuditAndDeniedInEnforce() throws Exception {
        for (AdmissionFixtures.Case c : AdmissionFixtures.all()) {
            Response r = webhook.post("/validate", c.review());
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
        AdmissionFixtures.namespaces().forEach((name, annotations) -> webhook.setMode(name, annotations, "enforce"));
        for (String name : AdmissionFixtures.namespaces().keySet()) {
            webhook.awaitMode(name, "enforce");
        }
        for (AdmissionFixtures.Case c : AdmissionFixtures.all()) {
            if (c.namespace().isEmpty()) {
                continue; // cluster-scoped: tailor.cluster-scoped-mode, audit by default
            }
            Response r = webhook.post("/validate", c.review());
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
        JsonNode review = webhook.fixture("deployment-host-network").review();
        webhook.post("/validate", review)
                .then()
                .body("response.allowed", is(true))
                .body(
                        "response.warnings[0]",
                        startsWith("[tailor audit] would be denied in enforce mode: hostNamespaces"));

        webhook.setMode("shop", AdmissionFixtures.namespaces().get("shop"), "enforce");
        long toEnforce = webhook.awaitMode("shop", "enforce");
        webhook.post("/validate", review)
                .then()
                .body("response.allowed", is(false))
                .body("response.status.code", is(403))
                .body("response.status.message", containsString("hostNamespaces: host namespaces (hostNetwork=true)"));

        webhook.setMode("shop", AdmissionFixtures.namespaces().get("shop"), "audit");
        long toAudit = webhook.awaitMode("shop", "audit");
        // awaitMode gives up after 10 s; the time it took is a number to read, not a pass/fail criterion.
        System.out.printf("annotation flip took effect after %d ms (enforce) and %d ms (audit)%n", toEnforce, toAudit);
    }

    @Test
    void aPodInANamespaceCreatedAnInstantAgoGetsThatNamespacesMode() {
        for (int i = 0; i < 5; i++) {
            String name = "fresh-" + i;
            webhook.kube()
                    .namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .addToAnnotations("tailor.dev/mode", "enforce")
                            .addToLabels("tailor.dev/mode", "enforce")
                            .endMetadata()
                            .build())
                    .create();
            JsonNode review = webhook.fixture("pod-host-network").review().deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) review.get("request")).put("namespace", name);
            webhook.post("/validate", review)
                    .then()
                    .body("response.allowed", is(false))
                    .body("response.status.message", containsString("hostNamespaces"));
        }
    }

    @Test
    void guardDeniesANamespaceOwnerInAuditMode() {
        webhook.post(
                        "/validate",
                        webhook.fixture("namespace-owner-switches-to-audit").review())
                .then()
                .body("response.allowed", is(false))
                .body("response.status.message", containsString("namespaceAnnotationGuard"));
        webhook.post(
                        "/validate",
                        webhook.fixture("namespace-admin-switches-to-enforce").review())
                .then()
                .body("response.allowed", is(true));
    }

    @Test
    void switchingToEnforceWarnsOfExistingPodsAndTheChangeIsRecordedAsAnEvent() throws Exception {
        // A pod shop already runs, that enforce mode would reject (host network).
        webhook.kube()
                .pods()
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
        webhook.post(
                        "/validate",
                        webhook.fixture("namespace-admin-switches-to-enforce").review())
                .then()
                .body("response.allowed", is(true))
                .body(
                        "response.warnings",
                        org.hamcrest.Matchers.hasItem(
                                "[tailor] existing pods enforce mode would reject: legacy-agent: hostNamespaces"));
        webhook.kube().pods().inNamespace("shop").withName("legacy-agent").delete();

        // The annotation reaches the webhook: it records who switched shop, from what, to what.
        webhook.setMode("shop", AdmissionFixtures.namespaces().get("shop"), "enforce");
        webhook.awaitMode("shop", "enforce");
        io.fabric8.kubernetes.api.model.Event event = null;
        for (int i = 0; i < 100 && event == null; i++) {
            event = webhook.kube().v1().events().inNamespace("shop").list().getItems().stream()
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

    @Test
    void aNamespaceAnnotatedEnforceButNotLabelledSoIsCounted() throws Exception {
        // Routed to the fail-open entries while the webhook judges it enforced: an operator must hear of it.
        double before = webhook.outOfStep();
        webhook.kube()
                .namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("drifted")
                        .addToAnnotations("tailor.dev/mode", "enforce")
                        .addToLabels("tailor.dev/mode", "audit")
                        .endMetadata()
                        .build())
                .createOr(NonDeletingOperation::update);
        for (int i = 0; i < 100 && webhook.outOfStep() != before + 1; i++) {
            Thread.sleep(50);
        }
        assertEquals(before + 1, webhook.outOfStep(), "counted");
        webhook.kube().namespaces().withName("drifted").edit(n -> {
            n.getMetadata().getLabels().put("tailor.dev/mode", "enforce");
            return n;
        });
        for (int i = 0; i < 100 && webhook.outOfStep() != before; i++) {
            Thread.sleep(50);
        }
        double after = webhook.outOfStep();
        webhook.kube().namespaces().withName("drifted").delete();
        assertEquals(before, after, "no longer counted once the label is mirrored");
    }

    @Test
    void switchesOfNamespacesThatDoNotExistAreNotRemembered() throws Exception {
        // A review names any namespace its sender likes; one remembered requester per made-up name would fill the heap.
        int before = namespaceCache.pendingModeChanges();
        for (int i = 0; i < 20; i++) {
            com.fasterxml.jackson.databind.node.ObjectNode review = webhook.fixture(
                            "namespace-admin-switches-to-enforce")
                    .review()
                    .deepCopy();
            String name = "made-up-" + i + "-" + "x".repeat(40);
            ((com.fasterxml.jackson.databind.node.ObjectNode) review.path("request"))
                    .put("name", name)
                    .put("namespace", name);
            ((com.fasterxml.jackson.databind.node.ObjectNode)
                            review.path("request").path("object").path("metadata"))
                    .put("name", name);
            webhook.post("/validate", review).then().statusCode(200);
        }
        assertEquals(before, namespaceCache.pendingModeChanges());
    }

    @jakarta.inject.Inject
    dev.tailor.webhook.reports.ReportWriter reportWriter;

    /**
     * What audit mode would deny goes into the namespace's report only for a namespace that exists: a review names
     * any namespace its sender likes, and each made-up one would hold up to 100 results and a report no write can
     * place. The same review in a namespace that exists is kept.
     */
    @Test
    void findingsInNamespacesThatDoNotExistAreNotKept() throws Exception {
        int before = reportWriter.reports().namespaces();
        for (int i = 0; i < 20; i++) {
            com.fasterxml.jackson.databind.node.ObjectNode review =
                    webhook.fixture("pod-privileged").review().deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) review.path("request")).put("namespace", "made-up-" + i);
            ((com.fasterxml.jackson.databind.node.ObjectNode)
                            review.path("request").path("object").path("metadata"))
                    .put("namespace", "made-up-" + i);
            webhook.post("/validate", review)
                    .then()
                    .statusCode(200)
                    .body("response.allowed", org.hamcrest.Matchers.is(true));
        }
        assertEquals(before, reportWriter.reports().namespaces(), "no results kept for made-up namespaces");
        String real = "reports-" + System.nanoTime();
        webhook.kube()
                .namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(real)
                        .endMetadata()
                        .build())
                .create();
        try {
            com.fasterxml.jackson.databind.node.ObjectNode inReal =
                    webhook.fixture("pod-privileged").review().deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) inReal.path("request")).put("namespace", real);
            ((com.fasterxml.jackson.databind.node.ObjectNode)
                            inReal.path("request").path("object").path("metadata"))
                    .put("namespace", real);
            webhook.post("/validate", inReal).then().statusCode(200);
            assertEquals(
                    before + 1, reportWriter.reports().namespaces(), "a finding in a namespace that exists is kept");
        } finally {
            webhook.kube().namespaces().withName(real).delete();
        }
    }

    @Test
    void mutateMirrorsTheModeIntoTheNamespaceLabel() {
        JsonNode review =
                webhook.fixture("namespace-admin-switches-to-enforce").review().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode)
                        review.path("request").path("object").path("metadata").path("labels"))
                .put("tailor.dev/mode", "audit");
        webhook.post("/mutate", review)
                .then()
                .statusCode(200)
                .body("response.allowed", is(true))
                .body("response.patchType", equalTo("JSONPatch"));
        webhook.post("/mutate", webhook.fixture("pod-restricted-conforms").review())
                .then()
                .body("response.allowed", is(true))
                .body("response.patch", equalTo(null));
    }

    @Test
    void badInputGetsAJsonErrorNeverA500() {
        webhook.https()
                .contentType("application/json")
                .body("{not json")
                .post("/validate")
                .then()
                .statusCode(400)
                .body("response.status.message", startsWith("body is not JSON"));
        webhook.https()
                .contentType("application/json")
                .body("{\"apiVersion\":\"v1\",\"kind\":\"AdmissionReview\"}")
                .post("/validate")
                .then()
                .statusCode(400)
                .body("response.status.message", startsWith("apiVersion must be admission.k8s.io/v1"));
        webhook.https()
                .contentType("text/plain")
                .body("hello")
                .post("/validate")
                .then()
                .statusCode(415)
                .body("response.status.message", startsWith("Content-Type must be application/json"));
        String huge = "{\"apiVersion\":\"admission.k8s.io/v1\",\"pad\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}";
        webhook.https()
                .contentType("application/json")
                .body(huge)
                .post("/validate")
                .then()
                .statusCode(413)
                .body("response.status.code", is(413));
        JsonNode missingObject = webhook.fixture("pod-host-network").review().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) missingObject.get("request")).remove("object");
        webhook.post("/validate", missingObject)
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
        webhook.post("/validate", review)
                .then()
                .statusCode(200)
                .body("response.allowed", is(true))
                .body("response.warnings", equalTo(null));
    }

    @Test
    void metricsAndDecisionLogRecordTheDecisions() throws Exception {
        webhook.post("/validate", webhook.fixture("pod-privileged").review());
        String metrics = webhook.management().get("/q/metrics").asString();
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
            webhook.post("/validate", review).then().statusCode(200);
        }
        String metrics = webhook.management().get("/q/metrics").asString();
        assertTrue(metrics.contains("kind=\"other\""), "made-up kinds fold into other");
        assertTrue(!metrics.contains("MadeUp"), "no made-up kind is a label");
    }

    @Test
    void healthIsReadyWithPoliciesAndInformer() {
        webhook.management()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'tailor-webhook' }.data.namespaceInformer", equalTo("synced"));
    }

    /**
     * Health and metrics are served on the management port only: kubelet's probes never queue behind the admission
     * port's connection bound, and the admission port answers nothing but what the API server and the audit backend
     * send.
     */
    @Test
    void healthAndMetricsAreNotOnTheAdmissionPort() {
        for (String path : List.of("/q/health/ready", "/q/health/live", "/q/metrics")) {
            webhook.https().get(path).then().statusCode(404);
            webhook.management().get(path).then().statusCode(200);
        }
    }
}
