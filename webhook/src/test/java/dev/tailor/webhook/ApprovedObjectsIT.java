package dev.tailor.webhook;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tailor's applied objects as the approved behaviour: what a merged proposal applies becomes what the webhook
 * checks against, drift from it is warned of, and approvals that disagree are neither believed.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class ApprovedObjectsIT {

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
    void twoApprovalsOfOneWorkloadThatDisagreeAreNeitherBelieved() throws Exception {
        JsonNode deployment = webhook.fixture("deployment-conforms").review(); // checkout, running as "default"
        webhook.approve("tailor-deployment-checkout", "checkout");
        boolean approved = false;
        for (int i = 0; i < 100 && !approved; i++) {
            approved = webhook.post("/validate", deployment).asString().contains("approvedServiceAccount");
            Thread.sleep(50);
        }
        assertTrue(approved, "one approval is believed");
        // A second one naming another account (say, forged while the webhook was down): map order used to pick.
        webhook.approve("tailor-deployment-checkout-2", "powerful");
        boolean stillApproved = true;
        for (int i = 0; i < 100 && stillApproved; i++) {
            stillApproved = webhook.post("/validate", deployment).asString().contains("approvedServiceAccount");
            Thread.sleep(50);
        }
        deletePolicy("tailor-deployment-checkout");
        deletePolicy("tailor-deployment-checkout-2");
        assertTrue(!stillApproved, "conflicting approvals are neither believed");
    }

    @Test
    void eachContainerIsHeldToTheSeccompProfileApprovedForIt() throws Exception {
        // What a merged proposal applies for two of checkout's containers: a SeccompProfile each, naming its own.
        seccompProfile("checkout-server", "server");
        seccompProfile("checkout-proxy", "proxy");
        JsonNode deployment = webhook.fixture("deployment-conforms").review(); // server, proxy, metrics: RuntimeDefault
        String answer = "";
        for (int i = 0; i < 100 && !answer.contains("approvedSeccompProfile"); i++) {
            Thread.sleep(50);
            answer = webhook.post("/validate", deployment).asString();
        }
        for (String expected : List.of(
                "container \\\"server\\\" must run under the approved seccomp profile Localhost "
                        + "\\\"operator/shop/checkout-server.json\\\"",
                "container \\\"proxy\\\" must run under the approved seccomp profile Localhost "
                        + "\\\"operator/shop/checkout-proxy.json\\\"",
                "container \\\"metrics\\\" has no approved seccomp profile (approved for containers "
                        + "\\\"proxy\\\", \\\"server\\\")")) {
            assertTrue(answer.contains(expected), answer);
        }

        // One more that names no container cannot say whose it is: none of the workload's is believed.
        seccompProfile("checkout", null);
        for (int i = 0; i < 100 && answer.contains("approvedSeccompProfile"); i++) {
            Thread.sleep(50);
            answer = webhook.post("/validate", deployment).asString();
        }
        assertTrue(!answer.contains("approvedSeccompProfile"), answer);
    }

    @Test
    void appliedTailorObjectsBecomeTheApprovedBehaviorAndDriftFromItIsCaught() throws Exception {
        applyApprovalOfCheckout();

        // checkout's pods run as "default" in the sample: not the approved account (audit mode: a warning).
        JsonNode deployment = webhook.fixture("deployment-conforms").review();
        Response response = null;
        for (int i = 0; i < 100; i++) {
            response = webhook.post("/validate", deployment);
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
        JsonNode delete = deletionOfTheApprovedPolicy(deployment);
        webhook.post("/validate", delete)
                .then()
                .body("response.allowed", is(true))
                .body("response.warnings[0]", containsString("approvedNetworkPolicy: approved NetworkPolicy deleted"));

        // The approved RoleBinding was applied after the NetworkPolicy and may reach the policies in a later
        // publication than the one the loop above waited for.
        JsonNode binding = checkoutBoundToEdit(deployment);
        for (int i = 0;
                i < 100 && !webhook.post("/validate", binding).asString().contains("approvedRbacDrift");
                i++) {
            Thread.sleep(50);
        }
        webhook.post("/validate", binding)
                .then()
                .body(
                        "response.warnings",
                        org.hamcrest.Matchers.hasItem(
                                containsString(
                                        "approvedRbacDrift: role bound beyond the approved Role (RoleBinding checkout-edit binds ClusterRole edit to service account shop/checkout")));

        deletePolicy("tailor-deployment-checkout");
        webhook.kube()
                .rbac()
                .roleBindings()
                .inNamespace("shop")
                .withName("tailor-checkout")
                .delete();
    }

    /** A SeccompProfile Tailor generated for checkout, naming its container ({@code null}: as an older Tailor's). */
    private void seccompProfile(String name, String container) {
        ObjectMetaBuilder meta = new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("shop")
                .withLabels(
                        Map.of("app.kubernetes.io/managed-by", "tailor", "tailor.dev/workload", "deployment.checkout"));
        if (container != null) {
            meta.withAnnotations(Map.of("tailor.dev/container", container));
        }
        webhook.kube()
                .genericKubernetesResources(ApprovedObjects.SECCOMP_PROFILES)
                .inNamespace("shop")
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("security-profiles-operator.x-k8s.io/v1beta1")
                        .withKind("SeccompProfile")
                        .withMetadata(meta.build())
                        .build())
                .createOr(NonDeletingOperation::update);
    }

    private void deletePolicy(String name) {
        webhook.kube()
                .network()
                .v1()
                .networkPolicies()
                .inNamespace("shop")
                .withName(name)
                .delete();
    }

    /** What a merged Tailor pull request applies for shop's checkout: its NetworkPolicy and its RoleBinding. */
    private void applyApprovalOfCheckout() {
        Map<String, String> tailor =
                Map.of("app.kubernetes.io/managed-by", "tailor", "tailor.dev/workload", "deployment.checkout");
        webhook.kube()
                .network()
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
        webhook.kube()
                .rbac()
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
    }

    /** The review of a DELETE of the approved NetworkPolicy, made from {@code deployment}'s. */
    private static JsonNode deletionOfTheApprovedPolicy(JsonNode deployment) {
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
        return delete;
    }

    /** The review of a RoleBinding that binds checkout's account to ClusterRole edit. */
    private static JsonNode checkoutBoundToEdit(JsonNode deployment) throws Exception {
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
        return binding;
    }
}
