package dev.tailor.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.identity.Workload;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.TestStores;
import dev.tailor.testing.GoldenFiles;
import dev.tailor.testing.RepositoryPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tailor generate} on the Online Boutique week: what a reviewer would check by hand — the Role of the one
 * account that reads the API, container ports, DNS, the external egress, drops and denials left out, who is still
 * learning and why — then the whole tree against its committed copy (PolicyGeneratorPostgresIT: from PostgreSQL).
 */
class PolicyGeneratorTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final TestStores STORES = new TestStores();
    private static String h2;
    private static Map<String, String> files;
    private static Map<Workload, LearningState> states;

    @BeforeAll
    static void observeTheWeek(@TempDir Path tmp) throws Exception {
        Path week = dev.tailor.fixtures.ObservedWeek.write(tmp);
        h2 = STORES.url("h2", tmp);
        dev.tailor.fixtures.ObservedWeek.observe(week, h2);
        try (ObservationStore store = ObservationStore.open(h2)) {
            Observations obs = Observations.load(store, Duration.ofDays(7), null);
            files = new PolicyGenerator(PolicyGenerator.Options.defaults())
                    .generate(obs)
                    .files();
            states = LearningState.assess(obs, Duration.ofDays(7), Duration.ofHours(24), false);
        }
    }

    @Test
    void theWebhooksSnapshotOfTheStoreGeneratesTheSameBytes() throws Exception {
        // What tailor generate --store cluster reads: the store as the webhook's API writes it, read back.
        java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
        Observations direct;
        try (ObservationStore store = ObservationStore.open(h2)) {
            dev.tailor.store.ObservationSnapshot.write(store, Duration.ofDays(7), null, json);
            direct = Observations.load(store, Duration.ofDays(7), null);
        }
        var snapshot = dev.tailor.store.ObservationSnapshot.read(new java.io.ByteArrayInputStream(json.toByteArray()));
        Observations read = Observations.load(snapshot, Duration.ofDays(7), null);
        assertEquals(direct.api, read.api);
        assertEquals(direct.edges, read.edges);
        assertEquals(direct.pods, read.pods);
        assertEquals(direct.podsSeenCreated, read.podsSeenCreated);
        assertEquals(
                files,
                new PolicyGenerator(PolicyGenerator.Options.defaults())
                        .generate(read)
                        .files());
        try (ObservationStore store = ObservationStore.open(h2)) {
            assertEquals(
                    store.decisions(direct.from, direct.until.plusNanos(1)),
                    snapshot.decisions(direct.from, direct.until.plusNanos(1)));
            assertEquals(store.allowedRequests(), snapshot.allowedRequests());
            // Counted by the database, and from the snapshot's lines: the same.
            assertEquals(
                    store.enforcePreviews(direct.from, direct.until.plusNanos(1)),
                    snapshot.enforcePreviews(direct.from, direct.until.plusNanos(1)));
        }
        // The week's decisions travel too: the lines that name a check, and the requests allowed with none counted.
        assertTrue(snapshot.decisions(direct.from, direct.until).size() > 5, "lines that name a check");
        assertTrue(
                snapshot.allowedRequests().values().stream()
                                .mapToLong(dev.tailor.store.ObservationStore.StoredAccess::count)
                                .sum()
                        > 10,
                "requests allowed: " + snapshot.allowedRequests());
        org.junit.jupiter.api.Assertions.assertThrows(
                java.sql.SQLException.class,
                () -> snapshot.decisions(direct.from.minusSeconds(1), direct.until),
                "no decisions from before the window");
        org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class,
                () -> dev.tailor.store.ObservationSnapshot.read(
                        new java.io.ByteArrayInputStream("{\"kind\":\"EnforcePreview\"}".getBytes())));
    }

    @Test
    void aSnapshotWithTheWindowsPreviewsInPlaceOfItsLinesGeneratesAndPreviewsTheSame() throws Exception {
        // What the CLI asks for (enforcePreviews=true): the webhook counts the window's previews, the lines stay home.
        java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
        Observations direct;
        Map<String, dev.tailor.observe.admission.EnforcePreview> counted;
        try (ObservationStore store = ObservationStore.open(h2)) {
            dev.tailor.store.ObservationSnapshot.write(store, Duration.ofDays(7), null, json, store::enforcePreviews);
            direct = Observations.load(store, Duration.ofDays(7), null);
            counted = store.enforcePreviews(direct.from, direct.until.plusNanos(1));
        }
        com.fasterxml.jackson.databind.JsonNode doc =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toByteArray());
        assertFalse(doc.has("decisions"), "no lines");
        var snapshot = dev.tailor.store.ObservationSnapshot.read(new java.io.ByteArrayInputStream(json.toByteArray()));
        Observations read = Observations.load(snapshot, Duration.ofDays(7), null);
        assertEquals(
                files,
                new PolicyGenerator(PolicyGenerator.Options.defaults())
                        .generate(read)
                        .files());
        assertTrue(counted.values().stream().anyMatch(p -> p.wouldReject() > 0), "the week has rejections: " + counted);
        // As impact asks for them: the window, to its end.
        assertEquals(counted, snapshot.enforcePreviews(read.from, read.until.plusNanos(1)));
        org.junit.jupiter.api.Assertions.assertThrows(
                java.sql.SQLException.class,
                () -> snapshot.enforcePreviews(read.from.plusSeconds(1), read.until.plusNanos(1)),
                "another window's previews are not in it");
        org.junit.jupiter.api.Assertions.assertThrows(
                java.sql.SQLException.class, () -> snapshot.decisions(read.from, read.until), "nor the lines");
    }

    @AfterAll
    static void drop() throws Exception {
        STORES.dropAll();
    }

    private static List<JsonNode> yaml(String path) throws Exception {
        String text = files.get(path);
        assertTrue(text != null, path + " was not generated; generated: " + files.keySet());
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(text)) {
            it.forEachRemaining(docs::add);
        }
        return docs;
    }

    @Test
    void cartserviceGetsARoleForExactlyTheConfigMapAndSecretItRead() throws Exception {
        List<JsonNode> rbac = yaml("boutique/serviceaccount.cartservice/rbac.yaml");
        assertEquals(
                List.of("Role", "RoleBinding"),
                rbac.stream().map(d -> d.path("kind").asText()).toList());
        JsonNode rules = rbac.get(0).path("rules");
        assertEquals(2, rules.size());
        assertEquals("configmaps", rules.get(0).path("resources").get(0).asText());
        assertEquals("cart-config", rules.get(0).path("resourceNames").get(0).asText());
        assertEquals("secrets", rules.get(1).path("resources").get(0).asText());
        assertEquals(
                "redis-cart-auth", rules.get(1).path("resourceNames").get(0).asText());
        assertEquals("[\"get\"]", rules.get(1).path("verbs").toString());
        assertEquals(
                "cartservice", rbac.get(1).path("subjects").get(0).path("name").asText());
        assertEquals(
                "tailor",
                rbac.get(0)
                        .path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/managed-by")
                        .asText());
        // Accounts that never call the API get no Role; a 403 is listed, never granted.
        assertFalse(files.keySet().stream().anyMatch(p -> p.contains("serviceaccount.emailservice")));
        assertTrue(files.get("REPORT.md").contains("denied, not granted: get secrets payment-token in boutique"));
        assertFalse(files.keySet().stream().anyMatch(p -> p.contains("serviceaccount.checkoutservice")));
    }

    @Test
    void networkPoliciesUseContainerPortsDnsAndTheObservedExternalAddress() throws Exception {
        JsonNode email = yaml("boutique/deployment.emailservice/networkpolicy.yaml")
                .get(0)
                .path("spec");
        assertEquals("[\"Ingress\",\"Egress\"]", email.path("policyTypes").toString());
        JsonNode from = email.path("ingress").get(0);
        assertEquals(
                "checkoutservice",
                from.path("from")
                        .get(0)
                        .path("podSelector")
                        .path("matchLabels")
                        .path("app")
                        .asText());
        assertEquals(8080, from.path("ports").get(0).path("port").asInt(), "the pod's port, not the Service's 5000");
        assertTrue(email.path("egress").isMissingNode(), "emailservice calls nobody: all egress denied");

        JsonNode export =
                yaml("batch/cronjob.catalog-export/networkpolicy.yaml").get(0).path("spec");
        assertTrue(
                export.path("egress").toString().contains("{\"ipBlock\":{\"cidr\":\"142.250.74.123/32\"}}"),
                export.toString());
        // DNS to the resolver the cluster used (CoreDNS), UDP and TCP, for every workload that sends anything.
        for (String path : files.keySet()) {
            if (path.endsWith("networkpolicy.yaml")) {
                JsonNode spec = yaml(path).get(0).path("spec");
                if (spec.has("egress")) {
                    assertTrue(
                            spec.path("egress")
                                            .toString()
                                            .contains("{\"podSelector\":{\"matchLabels\":{\"k8s-app\":\"kube-dns\"}}")
                                    || spec.path("egress").toString().contains("\"k8s-app\":\"kube-dns\""),
                            path);
                    assertTrue(spec.path("egress").toString().contains("{\"protocol\":\"TCP\",\"port\":53}"), path);
                    assertTrue(spec.path("egress").toString().contains("{\"protocol\":\"UDP\",\"port\":53}"), path);
                }
            }
        }
        // What current policy dropped is listed, not allowed.
        JsonNode catalog = yaml("boutique/deployment.productcatalogservice/networkpolicy.yaml")
                .get(0)
                .path("spec");
        assertFalse(catalog.path("ingress").toString().contains("loadgenerator"), catalog.toString());
        assertTrue(files.get("REPORT.md")
                .contains("dropped by current policy, not allowed: boutique/deployment.loadgenerator"));
    }

    @Test
    void seccompProfilesAreTheObservedSyscallsPlusTheRuntimes() throws Exception {
        JsonNode profile =
                new ObjectMapper().readTree(files.get("boutique/deployment.checkoutservice/seccomp-server.json"));
        assertEquals("SCMP_ACT_ERRNO", profile.path("defaultAction").asText());
        Set<String> allowed = new TreeSet<>();
        profile.path("syscalls").get(0).path("names").forEach(n -> allowed.add(n.asText()));
        assertTrue(allowed.contains("getrusage"), "the syscall checkoutservice started using on day 5");
        assertTrue(allowed.containsAll(SeccompGenerator.runtimeSyscalls("runc-v1.4.2")));
        assertFalse(allowed.contains("ptrace"));
        assertEquals(38, profile.path("syscalls").get(1).path("errnoRet").asInt());
        JsonNode cr = yaml("boutique/deployment.checkoutservice/seccompprofile-server.yaml")
                .get(0);
        assertEquals(
                "security-profiles-operator.x-k8s.io/v1beta1",
                cr.path("apiVersion").asText());
        assertEquals(profile, cr.path("spec"));
        JsonNode patch = yaml("batch/cronjob.catalog-export/seccomp-patch.yaml").get(0);
        assertEquals(
                "Localhost",
                patch.at("/spec/jobTemplate/spec/template/spec/containers/0/securityContext/seccompProfile/type")
                        .asText());
    }

    /**
     * An init container's profile is patched where the pod template has it, under {@code initContainers}: under
     * {@code containers} the name would add a container (without an image) to the workload. Which containers are init
     * containers comes from the pods the admission stream showed.
     */
    @Test
    void initContainersArePatchedWhereTheyAreAndKubectlDebugsContainersNotAtAll(@TempDir Path tmp) throws Exception {
        Path week = dev.tailor.fixtures.ObservedWeek.write(tmp);
        String url = STORES.url("h2", tmp);
        dev.tailor.fixtures.ObservedWeek.observe(week, url);
        Map<String, String> generated;
        try (ObservationStore store = ObservationStore.open(url)) {
            var cart = store.syscallUses().entrySet().stream()
                    .filter(e -> e.getKey().workload().equals("deployment.cartservice"))
                    .findFirst()
                    .orElseThrow();
            JsonNode pod =
                    new ObjectMapper().readTree("""
                    {"metadata": {"name": "cartservice-5d8f-x2x8z", "namespace": "boutique",
                      "creationTimestamp": "%s", "labels": {"app": "cartservice", "pod-template-hash": "5d8f"},
                      "ownerReferences": [{"kind": "ReplicaSet", "name": "cartservice-5d8f", "controller": true}]},
                     "spec": {"serviceAccountName": "cartservice",
                      "initContainers": [{"name": "migrate", "image": "cartservice"}],
                      "containers": [{"name": "server", "image": "cartservice"}]}}""".formatted(cart.getValue().firstSeen()));
            store.ingestPods(
                    List.of(dev.tailor.observe.admission.AdmissionStreamReader.podRecord("uid-init", "", "", pod)));
            var u = cart.getKey();
            List<dev.tailor.store.Sighting<dev.tailor.observe.syscalls.SyscallUse>> migrate = new ArrayList<>();
            for (String syscall : List.of("read", "write", "openat", "exit_group")) {
                migrate.add(dev.tailor.store.Sighting.of(
                        "migrate-" + syscall,
                        cart.getValue().firstSeen(),
                        new dev.tailor.observe.syscalls.SyscallUse(
                                u.namespace(), u.workload(), "migrate", "", u.architecture(), syscall, u.action())));
            }
            // kubectl debug on the same pod: its ephemeral container, named by the subresource's review, made syscalls.
            JsonNode debug = new ObjectMapper()
                    .readTree(
                            """
                    {"uid": "uid-debug", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                     "subResource": "ephemeralcontainers", "operation": "UPDATE", "namespace": "boutique",
                     "name": "cartservice-5d8f-x2x8z", "object": %s}""".formatted(
                                    ((com.fasterxml.jackson.databind.node.ObjectNode) pod.deepCopy())
                                            .set(
                                                    "spec",
                                                    ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("spec")
                                                                    .deepCopy())
                                                            .set(
                                                                    "ephemeralContainers",
                                                                    new ObjectMapper()
                                                                            .readTree(
                                                                                    "[{\"name\": \"debugger-x7k2p\", \"image\": \"busybox\"}]")))));
            store.ingestPods(List.of(dev.tailor.observe.admission.AdmissionStreamReader.podSeen(
                    debug, cart.getValue().firstSeen())));
            for (String syscall : List.of("read", "write", "ptrace", "exit_group")) {
                migrate.add(dev.tailor.store.Sighting.of(
                        "debugger-" + syscall,
                        cart.getValue().firstSeen(),
                        new dev.tailor.observe.syscalls.SyscallUse(
                                u.namespace(),
                                u.workload(),
                                "debugger-x7k2p",
                                "",
                                u.architecture(),
                                syscall,
                                u.action())));
            }
            store.ingestSyscallUses(migrate);
            generated = new PolicyGenerator(PolicyGenerator.Options.defaults())
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files();
        }
        JsonNode patch = YAML.readTree(generated.get("boutique/deployment.cartservice/seccomp-patch.yaml"));
        JsonNode spec = patch.at("/spec/template/spec");
        assertEquals(1, spec.path("initContainers").size(), patch.toString());
        assertEquals("migrate", spec.at("/initContainers/0/name").asText());
        assertEquals(
                "operator/boutique/cartservice-migrate.json",
                spec.at("/initContainers/0/securityContext/seccompProfile/localhostProfile")
                        .asText());
        assertEquals(1, spec.path("containers").size(), patch.toString());
        assertEquals("server", spec.at("/containers/0/name").asText());
        assertTrue(generated.containsKey("boutique/deployment.cartservice/seccomp-migrate.json"));
        // The ephemeral container's syscalls propose nothing: no profile, not in the patch, said in the report.
        assertTrue(
                generated.keySet().stream().noneMatch(f -> f.contains("debugger")),
                generated.keySet().toString());
        assertTrue(
                generated.get("REPORT.md").contains("ephemeral container debugger-x7k2p (kubectl debug): not proposed"),
                generated.get("REPORT.md"));
        // The patch of a workload without init containers has none (the fixture week's are as they were).
        assertEquals(
                files.get("boutique/deployment.checkoutservice/seccomp-patch.yaml"),
                generated.get("boutique/deployment.checkoutservice/seccomp-patch.yaml"));

        // A pod that names the same ReplicaSet with migrate among its containers (one made to look like the
        // workload's, or a template that moved it): under either list the patch could add a container to the
        // template, so it names migrate under neither; the profile stands and the report says why.
        try (ObservationStore store = ObservationStore.open(url)) {
            JsonNode madeUp = new ObjectMapper().readTree("""
                    {"metadata": {"name": "cartservice-5d8f-fake1", "namespace": "boutique",
                      "creationTimestamp": "2026-11-20T10:00:00Z",
                      "labels": {"app": "cartservice", "pod-template-hash": "5d8f"},
                      "ownerReferences": [{"kind": "ReplicaSet", "name": "cartservice-5d8f", "controller": true}]},
                     "spec": {"serviceAccountName": "cartservice",
                      "containers": [{"name": "migrate", "image": "busybox"}]}}""");
            store.ingestPods(
                    List.of(dev.tailor.observe.admission.AdmissionStreamReader.podRecord("uid-fake", "", "", madeUp)));
            generated = new PolicyGenerator(PolicyGenerator.Options.defaults())
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files();
        }
        spec = YAML.readTree(generated.get("boutique/deployment.cartservice/seccomp-patch.yaml"))
                .at("/spec/template/spec");
        assertTrue(spec.path("initContainers").isMissingNode(), spec.toString());
        assertEquals(1, spec.path("containers").size(), spec.toString());
        assertEquals("server", spec.at("/containers/0/name").asText());
        assertTrue(generated.containsKey("boutique/deployment.cartservice/seccomp-migrate.json"));
        assertTrue(
                generated
                        .get("REPORT.md")
                        .contains("container migrate is an init container in some of its pods and a container in "
                                + "others: its profile is proposed, the patch leaves it out"),
                generated.get("REPORT.md"));
    }

    @Test
    void workloadsAreProposedOnlyWhenTheEvidenceIsComplete() {
        assertTrue(
                states.get(new Workload("batch", "CronJob", "catalog-export")).proposed());
        assertEquals(
                7,
                states.get(new Workload("batch", "CronJob", "catalog-export")).runs());
        assertTrue(states.get(new Workload("boutique", "Deployment", "checkoutservice"))
                .proposed());
        LearningState assistant = states.get(new Workload("boutique", "Deployment", "shoppingassistantservice"));
        assertEquals(List.of("observed on 5 of 7 days"), assistant.learningBecause());
        LearningState redis = states.get(new Workload("boutique", "Deployment", "redis-cart"));
        assertTrue(redis.partial() && !redis.proposed(), redis.toString());
        assertTrue(
                states.get(new Workload("monitoring", "DaemonSet", "promtail")).partial());
        // Every new client address at frontend is new behavior — until the named widening says otherwise.
        assertFalse(
                states.get(new Workload("boutique", "Deployment", "frontend")).proposed());
        assertFalse(files.containsKey("boutique/deployment.frontend/networkpolicy.yaml"));
    }

    @Test
    void allowWorldIngressProposesFrontendOpenToAnyClientOnItsPort() throws Exception {
        PolicyGenerator.Options wide =
                PolicyGenerator.Options.builder().worldIngress(true).build();
        try (ObservationStore store = ObservationStore.open(h2)) {
            Map<String, String> widened = new PolicyGenerator(wide)
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files();
            String policy = widened.get("boutique/deployment.frontend/networkpolicy.yaml");
            assertTrue(policy != null && policy.contains("cidr: 0.0.0.0/0"), String.valueOf(policy));
        }
    }

    @Test
    void theTreeIsTheCommittedOne() throws Exception {
        assertEquals(
                List.of(),
                GoldenFiles.differences(RepositoryPaths.fixtures().resolve("boutique-policies"), files),
                "test-fixtures/boutique-policies/ is not what tailor generate writes for the week; rerun with "
                        + "-Dtailor.update-golden=true and review the change");
    }
}
