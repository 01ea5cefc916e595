package dev.tailor.webhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.contract.AdmissionDecision;
import dev.tailor.contract.Mode;
import dev.tailor.policy.AdmissionPolicy;
import dev.tailor.policy.Decision;
import dev.tailor.policy.PolicyEngine;
import dev.tailor.policy.PolicyEvaluationException;
import dev.tailor.webhook.TailorConfig.OnError;
import dev.tailor.webhook.fixtures.AdmissionFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admission handler without HTTP or Quarkus: the real compiled policies, namespaces from a map. */
class AdmissionHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DENIAL = Pattern.compile("tailor: \\d+ violations?: (.*)");
    private static PolicyEngine engine;

    private final Map<String, JsonNode> namespaces = new HashMap<>();
    private final List<AdmissionDecision> log = new CopyOnWriteArrayList<>();
    /** The pods the stream saw, as the webhook's store holds them (their creations' verdicts on their owners). */
    private final dev.tailor.identity.Pods pods = new dev.tailor.identity.Pods();

    @BeforeAll
    static void loadPolicies() {
        engine = PolicyEngine.bundled(2, Duration.ofSeconds(5));
    }

    @BeforeEach
    void fixtureNamespaces() {
        AdmissionFixtures.namespaces().forEach((name, annotations) -> setNamespace(name, annotations, "audit"));
    }

    private void setNamespace(String name, Map<String, String> annotations, String mode) {
        ObjectNode ns = JSON.createObjectNode();
        ObjectNode metadata = ns.putObject("metadata").put("name", name);
        ObjectNode a = metadata.putObject("annotations");
        annotations.forEach(a::put);
        a.put("tailor.dev/mode", mode);
        metadata.putObject("labels").put("tailor.dev/mode", mode);
        namespaces.put(name, ns);
    }

    private AdmissionHandler handler(AdmissionPolicy policy, OnError onError) {
        return handler(policy, onError, Mode.AUDIT);
    }

    private AdmissionHandler handler(AdmissionPolicy policy, OnError onError, Mode defaultMode) {
        return handler(
                policy, onError, defaultMode, Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC));
    }

    private AdmissionHandler handler(AdmissionPolicy policy, OnError onError, Mode defaultMode, Clock clock) {
        return new AdmissionHandler(
                policy,
                namespaces::get,
                defaultMode,
                Mode.AUDIT,
                onError,
                new dev.tailor.webhook.decisions.DecisionLog() {
                    @Override
                    public void record(List<AdmissionDecision> records) {
                        log.addAll(records);
                    }

                    @Override
                    public void podAdmitted(dev.tailor.identity.PodRecord pod) {
                        pods.decided(pod);
                    }

                    @Override
                    public boolean ownerRefused(String namespace, String pod) {
                        return pods.refused(namespace, pod);
                    }
                },
                AdmissionMetrics.NONE,
                clock);
    }

    /** A copy of a fixture's request, to change. */
    private static ObjectNode fixtureRequest(String name) {
        return (ObjectNode) AdmissionFixtures.all().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow()
                .review()
                .get("request")
                .deepCopy();
    }

    private AdmissionHandler handler() {
        return handler(engine, OnError.FOLLOW_MODE);
    }

    private static List<String> warnings(ObjectNode review) {
        List<String> warnings = new ArrayList<>();
        review.path("response").path("warnings").forEach(w -> warnings.add(w.asText()));
        return warnings;
    }

    /** The check ids in "tailor: 2 violations: a: reason (detail); b: reason (detail)". */
    private static List<String> checksIn(String message) {
        Matcher m = DENIAL.matcher(message);
        assertTrue(m.matches(), message);
        TreeSet<String> checks = new TreeSet<>();
        for (String part : m.group(1).split("; ")) {
            checks.add(part.substring(0, part.indexOf(':')));
        }
        return List.copyOf(checks);
    }

    @Test
    void thePoliciesAreGivenTheObjectsWithoutTheirManagedFieldsAndDecideAlike() throws Exception {
        // The API server adds metadata.managedFields to every object it sends; no check reads them.
        JsonNode managed = JSON.readTree("[{\"manager\": \"kubectl-client-side-apply\", \"operation\": \"Update\","
                + " \"apiVersion\": \"apps/v1\", \"fieldsType\": \"FieldsV1\", \"fieldsV1\": {\"f:spec\": {}}}]");
        for (String fixture : List.of("deployment-host-network", "pod-privileged", "pod-restricted-conforms")) {
            AdmissionFixtures.Case c = AdmissionFixtures.all().stream()
                    .filter(x -> x.name().equals(fixture))
                    .findFirst()
                    .orElseThrow();
            ObjectNode request = c.review().get("request").deepCopy();
            ((ObjectNode) request.path("object").path("metadata")).set("managedFields", managed);
            String sent = request.toString();
            List<JsonNode> inputs = new ArrayList<>();
            AdmissionPolicy capturing = new AdmissionPolicy() {
                @Override
                public Decision validate(JsonNode input) {
                    inputs.add(input);
                    return engine.validate(input);
                }

                @Override
                public List<JsonNode> mutate(JsonNode input) {
                    inputs.add(input);
                    return engine.mutate(input);
                }
            };
            ObjectNode withManaged = handler(capturing, OnError.FOLLOW_MODE).validate(request);
            ObjectNode without = handler().validate(c.review().get("request"));
            assertEquals(warnings(without), warnings(withManaged), fixture);
            assertEquals(1, inputs.size());
            assertTrue(
                    inputs.get(0)
                            .path("request")
                            .path("object")
                            .path("metadata")
                            .has("name"),
                    fixture);
            assertFalse(
                    inputs.get(0)
                            .path("request")
                            .path("object")
                            .path("metadata")
                            .has("managedFields"),
                    fixture);
            assertEquals(sent, request.toString(), "the request itself is left whole");
        }
    }

    @Test
    void auditModeAllowsEveryFixtureAndWarnsWithExactlyItsChecks() {
        for (AdmissionFixtures.Case c : AdmissionFixtures.all()) {
            ObjectNode review = handler().validate(c.review().get("request"));
            JsonNode response = review.get("response");
            assertEquals(
                    c.review().path("request").path("uid").asText(),
                    response.path("uid").asText(),
                    c.name());
            boolean guard = c.expectedChecks().contains("namespaceAnnotationGuard");
            assertEquals(!guard, response.path("allowed").asBoolean(), c.name() + ": " + review);
            if (!guard) {
                List<String> warned = warnings(review).stream()
                        .peek(w -> assertTrue(w.startsWith(AdmissionHandler.AUDIT_PREFIX), w))
                        .map(w -> w.substring(AdmissionHandler.AUDIT_PREFIX.length())
                                .split(":")[0])
                        .sorted()
                        .toList();
                assertEquals(c.expectedChecks(), warned, c.name());
            }
        }
    }

    @Test
    void enforceModeDeniesEveryViolatingFixtureWith403AndItsChecks() {
        AdmissionFixtures.namespaces().forEach((name, annotations) -> setNamespace(name, annotations, "enforce"));
        for (AdmissionFixtures.Case c : AdmissionFixtures.all()) {
            ObjectNode review = handler().validate(c.review().get("request"));
            JsonNode response = review.get("response");
            boolean clusterScoped = c.namespace().isEmpty() && !c.name().startsWith("namespace-");
            if (clusterScoped) {
                // Cluster-scoped objects follow tailor.cluster-scoped-mode (audit here), not a namespace.
                assertTrue(response.path("allowed").asBoolean(), c.name());
                continue;
            }
            assertEquals(c.expectedChecks().isEmpty(), response.path("allowed").asBoolean(), c.name() + ": " + review);
            if (!c.expectedChecks().isEmpty()) {
                assertEquals(403, response.path("status").path("code").asInt(), c.name());
                String message = response.path("status").path("message").asText();
                assertTrue(message.startsWith("tailor: "), message);
                assertEquals(c.expectedChecks(), checksIn(message), c.name() + ": " + message);
            }
        }
    }

    @Test
    void denialListsTheFirstTenViolationsAndCountsTheRest() {
        setNamespace("shop", Map.of("tailor.dev/pod-security", "restricted"), "enforce");
        ObjectNode request = fixtureRequest("pod-restricted-conforms");
        ObjectNode spec = (ObjectNode) request.path("object").path("spec");
        spec.put("hostNetwork", true)
                .putObject("securityContext")
                .putArray("sysctls")
                .addObject()
                .put("name", "kernel.msgmax");
        spec.putArray("volumes")
                .addObject()
                .put("name", "root")
                .putObject("hostPath")
                .put("path", "/");
        ObjectNode container = (ObjectNode) spec.path("containers").get(0);
        ObjectNode context = container.putObject("securityContext");
        context.put("privileged", true).put("procMount", "Unmasked").put("runAsUser", 0);
        context.putObject("capabilities").putArray("add").add("SYS_ADMIN");
        context.putObject("seLinuxOptions").put("user", "system_u");
        context.putObject("appArmorProfile").put("type", "Unconfined");
        context.putObject("windowsOptions").put("hostProcess", true);
        ((ObjectNode) container.path("ports").get(0)).put("hostPort", 80);
        container
                .putObject("livenessProbe")
                .putObject("tcpSocket")
                .put("host", "10.0.0.1")
                .put("port", 80);

        Decision decision = engine.validate(JSON.createObjectNode()
                .<ObjectNode>set("request", request)
                .<ObjectNode>set("namespace", namespaces.get("shop"))
                .put("mode", "enforce"));
        int total = decision.violations().size();
        assertTrue(total > 10, "expected more than ten violations, got " + decision.violations());

        String message = handler()
                .validate(request)
                .path("response")
                .path("status")
                .path("message")
                .asText();
        assertTrue(message.startsWith("tailor: " + total + " violations: "), message);
        assertTrue(message.endsWith("; and " + (total - 10) + " more"), message);
        assertEquals(10, message.split("; ").length - 1, message);
    }

    @Test
    void namespaceOwnerCannotSwitchBackToAuditEvenInAuditMode() {
        AdmissionFixtures.Case owner = AdmissionFixtures.all().stream()
                .filter(c -> c.name().equals("namespace-owner-switches-to-audit"))
                .findFirst()
                .orElseThrow();
        ObjectNode response =
                (ObjectNode) handler().validate(owner.review().get("request")).get("response");
        assertFalse(response.path("allowed").asBoolean());
        assertTrue(response.path("status").path("message").asText().contains("namespaceAnnotationGuard"));
        assertEquals("denied", log.get(log.size() - 1).verdict());
    }

    /**
     * A pod naming a Deployment's ReplicaSet as its controller is judged as the Deployment's (its approvals hold it),
     * but recorded as the Deployment's only when the ReplicaSet controller created it: an editor's pod claiming the
     * owner is recorded as its own workload, so that what it would be denied for is not put on the Deployment.
     */
    @Test
    void aPodClaimingAControllersOwnerIsRecordedAsItsOwnWorkloadUnlessTheControllerCreatedIt() {
        ObjectNode request = fixtureRequest("pod-privileged");
        ObjectNode metadata = (ObjectNode) request.path("object").path("metadata");
        ((ObjectNode) metadata.path("labels")).put("pod-template-hash", "7d4b9c");
        metadata.putArray("ownerReferences")
                .addObject()
                .put("apiVersion", "apps/v1")
                .put("kind", "ReplicaSet")
                .put("name", "privileged-7d4b9c")
                .put("uid", "0d6f3a52-1c1e-4b7a-9f0e-3b5c7d9e1a2b")
                .put("controller", true);
        List<String> answers = new ArrayList<>();
        for (String user : List.of("system:serviceaccount:kube-system:replicaset-controller", "alice")) {
            ((ObjectNode) request.path("userInfo")).put("username", user);
            log.clear();
            answers.add(warnings(handler().validate(request)).toString());
            assertFalse(log.isEmpty());
            assertEquals(
                    user.equals("alice") ? "pod.privileged-7d4b9c-x2x8z" : "deployment.privileged",
                    log.get(0).workload(),
                    user);
        }
        assertEquals(answers.get(0), answers.get(1), "judged the same either way");
        assertTrue(answers.get(0).contains("privileged"), answers.get(0));

        // Its later requests carry no creator: an update (by anyone), and an ephemeral container, are recorded as the
        // pod's own too — until the controller creates a pod of that name again.
        for (String subResource : List.of("", "ephemeralcontainers")) {
            ObjectNode update = request.deepCopy().put("operation", "UPDATE");
            update.set("oldObject", request.path("object").deepCopy());
            ((ObjectNode) update.path("userInfo")).put("username", "bob");
            if (!subResource.isEmpty()) {
                update.put("subResource", subResource);
            }
            log.clear();
            handler().validate(update);
            assertEquals("pod.privileged-7d4b9c-x2x8z", log.get(0).workload(), subResource);
        }
        ((ObjectNode) request.path("userInfo"))
                .put("username", "system:serviceaccount:kube-system:replicaset-controller");
        handler().validate(request);
        ObjectNode update = request.deepCopy().put("operation", "UPDATE");
        update.set("oldObject", request.path("object").deepCopy());
        log.clear();
        handler().validate(update);
        assertEquals("deployment.privileged", log.get(0).workload());
    }

    /**
     * A review's lines carry one instant, however long its checks' lines take to write: a preview tells a request's
     * lines apart from others' by their UIDs as they come in time order ({@code EnforcePreview.Requests}), and a
     * window holds a request whole or not at all.
     */
    @Test
    void aReviewsLinesShareOneInstant() {
        Clock ticking = new Clock() { // a millisecond later each time it is read
                    private Instant now = Instant.parse("2026-11-26T10:00:00Z");

                    @Override
                    public synchronized Instant instant() {
                        now = now.plusMillis(1);
                        return now;
                    }

                    @Override
                    public java.time.ZoneId getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(java.time.ZoneId zone) {
                        throw new UnsupportedOperationException();
                    }
                };
        ObjectNode request = fixtureRequest("pod-restricted-conforms");
        ObjectNode container = (ObjectNode)
                request.path("object").path("spec").path("containers").get(0);
        container.putObject("securityContext").put("privileged", true).put("runAsUser", 0);
        ((ObjectNode) container.path("ports").get(0)).put("hostPort", 80);
        AdmissionHandler handler = handler(engine, OnError.FOLLOW_MODE, Mode.AUDIT, ticking);
        handler.validate(request);
        assertTrue(log.size() >= 3, log.toString());
        assertEquals(1, log.stream().map(AdmissionDecision::time).distinct().count(), log.toString());
        Instant first = log.get(0).time();
        log.clear();
        handler.validate(request);
        assertTrue(log.get(0).time().isAfter(first), "the next review, a later instant");
        assertEquals(1, log.stream().map(AdmissionDecision::time).distinct().count(), log.toString());
    }

    @Test
    void everyValidationIsInTheDecisionLog() {
        AdmissionFixtures.Case c = AdmissionFixtures.all().stream()
                .filter(x -> x.name().equals("deployment-host-network"))
                .findFirst()
                .orElseThrow();
        handler().validate(c.review().get("request"));
        assertEquals(1, log.size());
        AdmissionDecision r = log.get(0);
        assertEquals("shop", r.namespace());
        assertEquals("deployment.frontend", r.workload());
        assertEquals("alice", r.user());
        assertEquals("CREATE", r.operation());
        assertEquals("Deployment", r.kind());
        assertEquals("hostNamespaces", r.check());
        assertEquals("warned", r.verdict());
        assertEquals("audit", r.mode());
        assertTrue(r.message().contains("hostNetwork=true"), r.message());

        log.clear();
        AdmissionFixtures.Case ok = AdmissionFixtures.all().stream()
                .filter(x -> x.name().equals("deployment-conforms"))
                .findFirst()
                .orElseThrow();
        handler().validate(ok.review().get("request"));
        assertEquals("allowed", log.get(0).verdict());
        assertEquals("", log.get(0).check());
    }

    @Test
    void auditAnnotationsNameTheModeAndTheChecks() {
        AdmissionFixtures.Case c = AdmissionFixtures.all().stream()
                .filter(x -> x.name().equals("replicaset-privileged"))
                .findFirst()
                .orElseThrow();
        JsonNode annotations =
                handler().validate(c.review().get("request")).path("response").path("auditAnnotations");
        assertEquals("audit", annotations.path("mode").asText());
        assertEquals(
                "allowPrivilegeEscalation,privileged",
                annotations.path("violations").asText());
    }

    @Test
    void unknownNamespaceFollowsTheDefaultMode() {
        namespaces.clear();
        AdmissionFixtures.Case c = AdmissionFixtures.all().stream()
                .filter(x -> x.name().equals("pod-host-network"))
                .findFirst()
                .orElseThrow();
        JsonNode response = handler().validate(c.review().get("request")).path("response");
        assertTrue(response.path("allowed").asBoolean());
        assertFalse(warnings(handler().validate(c.review().get("request"))).isEmpty());
    }

    private static final AdmissionPolicy BROKEN = new AdmissionPolicy() {
        @Override
        public Decision validate(JsonNode input) {
            throw new PolicyEvaluationException("no policy instance free within 2000 ms");
        }

        @Override
        public List<JsonNode> mutate(JsonNode input) {
            throw new PolicyEvaluationException("no policy instance free within 2000 ms");
        }
    };

    @Test
    void evaluationFailureAllowsWithAWarningInAuditAndDeniesInEnforce() {
        JsonNode request = AdmissionFixtures.all().get(0).review().get("request");
        JsonNode audit = handler(BROKEN, OnError.FOLLOW_MODE).validate(request).get("response");
        assertTrue(audit.path("allowed").asBoolean());
        assertTrue(audit.path("warnings").get(0).asText().contains("could not evaluate"), audit.toString());

        setNamespace("legacy", Map.of(), "enforce");
        JsonNode enforce =
                handler(BROKEN, OnError.FOLLOW_MODE).validate(request).get("response");
        assertFalse(enforce.path("allowed").asBoolean());
        assertTrue(enforce.path("status").path("message").asText().contains("could not evaluate"));

        assertTrue(handler(BROKEN, OnError.ALLOW)
                .validate(request)
                .path("response")
                .path("allowed")
                .asBoolean());
        assertEquals("error", log.get(0).verdict());
    }

    @Test
    void namespaceWriteGetsItsModeLabelMirrored() {
        AdmissionFixtures.Case c = AdmissionFixtures.all().stream()
                .filter(x -> x.name().equals("namespace-admin-switches-to-enforce"))
                .findFirst()
                .orElseThrow();
        ObjectNode request = c.review().get("request").deepCopy();
        ((ObjectNode) request.path("object").path("metadata").path("labels")).remove("tailor.dev/mode");
        JsonNode response = handler().mutate(request).get("response");
        assertEquals("JSONPatch", response.path("patchType").asText());
        String patch =
                new String(Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8);
        assertEquals("[{\"op\":\"add\",\"path\":\"/metadata/labels/tailor.dev~1mode\",\"value\":\"enforce\"}]", patch);
    }

    /** The mode an unannotated Namespace selects is the webhook's default, for the label mirror and its guard. */
    @Test
    void anUnannotatedNamespaceIsLabelledWithTheDefaultMode() {
        ObjectNode request = AdmissionFixtures.all().stream()
                .filter(x -> x.name().equals("namespace-admin-switches-to-enforce"))
                .findFirst()
                .orElseThrow()
                .review()
                .get("request")
                .deepCopy();
        ObjectNode metadata = (ObjectNode) request.path("object").path("metadata");
        metadata.remove("annotations");
        metadata.putObject("labels").put("team", "shop");
        AdmissionHandler enforcing = handler(engine, OnError.FOLLOW_MODE, Mode.ENFORCE);
        String patch = new String(
                Base64.getDecoder()
                        .decode(enforcing
                                .mutate(request)
                                .path("response")
                                .path("patch")
                                .asText()),
                StandardCharsets.UTF_8);
        assertEquals("[{\"op\":\"add\",\"path\":\"/metadata/labels/tailor.dev~1mode\",\"value\":\"enforce\"}]", patch);

        ((ObjectNode) metadata.path("labels")).put("tailor.dev/mode", "audit");
        JsonNode forged = enforcing.validate(request).path("response");
        assertFalse(forged.path("allowed").asBoolean(), forged.toString());
        assertTrue(
                forged.path("status").path("message").asText().contains("mode label out of sync"), forged.toString());
        assertTrue(
                handler().validate(request).path("response").path("allowed").asBoolean(), "audit is the default here");
    }

    @Test
    void enforcedPodOfAWorkloadWithAnApprovedProfileGetsIt() throws Exception {
        PolicyEngine approving = PolicyEngine.bundled(1, Duration.ofSeconds(5));
        approving.setData(JSON.readTree("""
                {"config": {}, "approved": {"workloads": {"shop": {"pod.seccomp-unset-7d4b9c-x2x8z":
                  {"seccompProfile": "operator/shop/api.json"}}}}}"""));
        setNamespace("shop", Map.of("tailor.dev/pod-security", "restricted"), "enforce");
        JsonNode request = AdmissionFixtures.all().stream()
                .filter(x -> x.name().equals("pod-seccomp-unset"))
                .findFirst()
                .orElseThrow()
                .review()
                .get("request");
        JsonNode response =
                handler(approving, OnError.FOLLOW_MODE).mutate(request).get("response");
        JsonNode patch =
                JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
        assertEquals(JSON.readTree("""
                [{"op": "add", "path": "/spec/securityContext/seccompProfile",
                  "value": {"type": "Localhost", "localhostProfile": "operator/shop/api.json"}}]"""), patch);

        setNamespace("shop", Map.of("tailor.dev/pod-security", "restricted"), "audit");
        assertFalse(
                handler(approving, OnError.FOLLOW_MODE)
                        .mutate(request)
                        .path("response")
                        .has("patch"),
                "audit mode changes nothing");
    }

    @Test
    void ordinaryPodIsNotMutated() {
        JsonNode response = handler()
                .mutate(AdmissionFixtures.all().get(0).review().get("request"))
                .get("response");
        assertTrue(response.path("allowed").asBoolean());
        assertFalse(response.has("patch"));
    }
}
