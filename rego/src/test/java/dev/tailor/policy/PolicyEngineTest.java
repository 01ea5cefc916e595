package dev.tailor.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The pooled engine: data reaches every instance when it changes, and concurrent callers never share one. */
class PolicyEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode podInput(String serviceAccount) throws Exception {
        ObjectNode pod = (ObjectNode) JSON.readTree("""
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "api-7f9c-x2x8z", "namespace": "shop", "labels": {"pod-template-hash": "7f9c"},
                              "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7f9c",
                                                   "uid": "1", "controller": true}]},
                 "spec": {"serviceAccountName": "%s", "containers": [{"name": "app", "image": "app:1"}]}}""".formatted(serviceAccount));
        ObjectNode input = PodSecurityConformanceTest.podInput("baseline", "latest", pod);
        ((ObjectNode) input.get("request")).put("namespace", "shop");
        return input;
    }

    private static JsonNode approving(String serviceAccount) throws Exception {
        return JSON.readTree("""
                {"config": {}, "approved": {"workloads": {"shop": {"deployment.api": {"serviceAccount": "%s"}}}}}""".formatted(serviceAccount));
    }

    /** A pod with a number the WASM engine cannot read (the webhook refuses such a review before it gets here). */
    /** The pod's input with 10 MiB of annotation values: the module's memory grows past what an instance may keep. */
    private static ObjectNode largePodInput(String serviceAccount) throws Exception {
        ObjectNode large = podInput(serviceAccount);
        ObjectNode annotations =
                ((ObjectNode) large.path("request").path("object").path("metadata")).putObject("annotations");
        for (int i = 0; i < 10; i++) {
            annotations.put("example.com/blob-" + i, "x".repeat(1 << 20));
        }
        return large;
    }

    private static ObjectNode trapping(String serviceAccount) throws Exception {
        ObjectNode input = podInput(serviceAccount);
        ((ObjectNode) input.path("request")
                        .path("object")
                        .path("spec")
                        .path("containers")
                        .get(0))
                .putArray("ports")
                .addObject()
                .put("containerPort", 80)
                .put("hostPort", new java.math.BigInteger("18446744073709551617"));
        return input;
    }

    private static List<String> checks(Decision decision) {
        return decision.violations().stream().map(Violation::check).toList();
    }

    @Test
    void newDataReachesEveryPooledInstance() throws Exception {
        PolicyEngine engine = PolicyEngine.bundled(3, Duration.ofSeconds(5));
        ObjectNode input = podInput("default");
        for (int i = 0; i < 6; i++) {
            assertEquals(List.of(), checks(engine.validate(input)), "nothing approved yet");
        }
        engine.setData(approving("api"));
        for (int i = 0; i < 6; i++) {
            assertEquals(List.of("approvedServiceAccount"), checks(engine.validate(input)), "evaluation " + i);
        }
        engine.setData(approving("default"));
        for (int i = 0; i < 6; i++) {
            assertEquals(List.of(), checks(engine.validate(input)), "evaluation " + i);
        }
    }

    @Test
    void concurrentCallersGetTheirOwnAnswers() throws Exception {
        PolicyEngine engine = PolicyEngine.bundled(2, Duration.ofSeconds(10));
        engine.setData(approving("api"));
        ObjectNode good = podInput("api");
        ObjectNode bad = podInput("default");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            boolean wantViolation = i % 2 == 0;
            results.add(pool.submit(
                    () -> engine.validate(wantViolation ? bad : good).hasViolations() == wantViolation));
        }
        for (Future<Boolean> r : results) {
            assertTrue(r.get());
        }
        pool.shutdown();
    }

    @Test
    void residentInstancesAnswerAsThePoolDoesOnEveryThreadAndFollowNewData() throws Exception {
        PolicyEngine engine = PolicyEngine.bundled(1, Duration.ofSeconds(5));
        AdmissionPolicy resident = engine.resident();
        ObjectNode input = podInput("default");
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            // Each thread makes its own instance on its first call; they then see data published afterwards.
            for (String approved : List.of("", "api", "default")) {
                if (!approved.isEmpty()) {
                    engine.setData(approving(approved));
                }
                List<String> expected = checks(engine.validate(input));
                List<Future<List<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    answers.add(threads.submit(() -> checks(resident.validate(input))));
                }
                for (Future<List<String>> answer : answers) {
                    assertEquals(expected, answer.get(), "approved: " + approved);
                }
            }
        } finally {
            threads.shutdown();
        }
        assertEquals(List.of("approvedServiceAccount"), checks(engine.validate(podInput("api"))));
    }

    @Test
    void aResidentInstanceThatTrappedOrGrewIsNotKept() throws Exception {
        PolicyEngine engine = PolicyEngine.bundled(1, Duration.ofSeconds(5));
        engine.setData(approving("api"));
        AdmissionPolicy resident = engine.resident();
        ObjectNode trapping = trapping("api");
        assertEquals(List.of(), checks(resident.validate(podInput("api"))));
        assertTrue(engine.residentMemory() > 0, "this thread holds an instance");
        assertThrows(PolicyEvaluationException.class, () -> resident.validate(trapping));
        assertEquals(-1, engine.residentMemory(), "the instance that trapped is dropped");
        assertEquals(List.of(), checks(resident.validate(podInput("api"))), "a fresh instance answers next");

        ObjectNode large = largePodInput("api");
        assertEquals(List.of(), checks(resident.validate(large)));
        assertEquals(-1, engine.residentMemory(), "the instance the large input grew is dropped");
        assertEquals(List.of("approvedServiceAccount"), checks(resident.validate(podInput("default"))));
    }

    @Test
    void aPoolOfZeroIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PolicyEngine.bundled(0, Duration.ofSeconds(1)));
    }

    @Test
    void violationMessageJoinsReasonAndDetail() {
        Violation v = new Violation(
                "hostNamespaces",
                "podSecurity",
                "host namespaces",
                "hostNetwork=true",
                List.of("spec.hostNetwork"),
                "false or unset",
                false);
        assertEquals("hostNamespaces: host namespaces (hostNetwork=true)", v.message());
    }

    @Test
    void aTrapCostsItsOwnRequestAndThePoolRecovers() throws Exception {
        PolicyEngine engine = PolicyEngine.bundled(1, Duration.ofSeconds(30));
        engine.setData(approving("api"));
        ObjectNode trapping = trapping("api");
        assertThrows(PolicyEvaluationException.class, () -> engine.validate(trapping));
        // The one instance is replaced in the background; the next request waits for it and is answered.
        assertEquals(List.of(), engine.validate(podInput("api")).violations());
    }

    /**
     * An instance starts with the memory a review needs, no more: the bench's Deployment and Pod reviews, as the
     * webhook builds their input, are evaluated and mutated within its first {@link WasmPolicy#INITIAL_PAGES} pages.
     */
    @Test
    void aReviewIsEvaluatedWithinAnInstancesFirstPages() throws Exception {
        PolicyEngine engine = PolicyEngine.bundled(1, Duration.ofSeconds(30));
        long start = engine.idleMemory().get(0);
        assertEquals(WasmPolicy.INITIAL_PAGES * 65_536L, start);
        for (String review : List.of("deployment-conforms.json", "pod-restricted-conforms.json")) {
            JsonNode request = JSON.readTree(dev.tailor.testing.RepositoryPaths.root()
                            .resolve("test-fixtures/admission")
                            .resolve(review)
                            .toFile())
                    .get("request");
            ObjectNode input = JSON.createObjectNode();
            input.set("request", request);
            input.set("namespace", JSON.readTree("""
                    {"metadata": {"name": "shop", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}"""));
            input.put("mode", "audit");
            assertEquals(List.of(), checks(engine.validate(input)), review);
            engine.mutate(input);
        }
        assertEquals(List.of(start), engine.idleMemory(), "the memory grew");
    }

    @Test
    void anInstanceThatALargeInputGrewIsReplaced() throws Exception {
        PolicyEngine engine = PolicyEngine.bundled(1, Duration.ofSeconds(30));
        engine.setData(approving("api"));
        ObjectNode large = largePodInput("api");
        assertEquals(List.of(), checks(engine.validate(large)));
        // The next request waits for the fresh instance if it is not ready yet; the pool never keeps the grown one.
        assertEquals(List.of(), checks(engine.validate(podInput("api"))));
        for (long bytes : engine.idleMemory()) {
            assertTrue(bytes <= PolicyEngine.RETAINED_MEMORY, "an idle instance holds " + bytes + " bytes");
        }
        assertTrue(engine.idleMemory().size() == 1, "the pool still has its one instance: " + engine.idleMemory());
    }
}
