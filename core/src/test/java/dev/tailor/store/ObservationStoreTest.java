package dev.tailor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.identity.Workload;
import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.audit.ApiAccessAggregator;
import dev.tailor.observe.audit.ApiRequest;
import dev.tailor.observe.audit.AuditLogReader;
import dev.tailor.observe.flows.Flow;
import dev.tailor.observe.flows.HubbleFlowReader;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallLogReader;
import dev.tailor.observe.syscalls.SyscallRecord;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.testing.RepositoryPaths;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same suite on both stores: the embedded H2 file and a real PostgreSQL server (the one {@code .ci/run}
 * installs and starts; its URL comes in {@code TAILOR_TEST_POSTGRES_URL}, and each test gets a schema of its own).
 */
class ObservationStoreTest {

    @TempDir
    static Path dir;

    private final TestStores stores = new TestStores();

    static Stream<String> stores() {
        return TestStores.kinds();
    }

    String url(String kind) throws SQLException {
        return stores.url(kind, dir);
    }

    @AfterEach
    void dropSchemas() throws SQLException {
        stores.dropAll();
    }

    private static List<ApiRequest> demo() throws Exception {
        Path file = RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log");
        List<ApiRequest> requests = new ArrayList<>();
        try (InputStream in = Inputs.open(file.toString())) {
            new AuditLogReader().read("demo.log", in, requests::add, new Problems());
        }
        return requests;
    }

    @ParameterizedTest
    @MethodSource("stores")
    void storedAccessesEqualTheInMemoryAggregation(String kind) throws Exception {
        List<ApiRequest> requests = demo();
        ApiAccessAggregator expected = new ApiAccessAggregator();
        requests.forEach(expected);
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            assertEquals(new ObservationStore.BatchResult(37, 0), TestStores.ingestAudit(store, requests));
            Map<ApiAccess, ObservationStore.StoredAccess> stored = store.apiAccesses();
            assertEquals(expected.accesses().keySet(), stored.keySet());
            expected.accesses().forEach((access, seen) -> {
                ObservationStore.StoredAccess s = stored.get(access);
                assertEquals(seen.count(), s.count(), access.toString());
                assertEquals(seen.first(), s.firstSeen(), access.toString());
                assertEquals(seen.last(), s.lastSeen(), access.toString());
                assertEquals(seen.days(), new java.util.TreeSet<>(s.days().keySet()), access.toString());
            });
        }
    }

    /**
     * A pod's init containers, read from the pod as the admission stream has it, are kept by workload — once, however
     * often its pods are seen — and handed back, by the store and by its snapshot.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void theWorkloadsInitContainersAreKept(String kind) throws Exception {
        com.fasterxml.jackson.databind.JsonNode pod = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"metadata": {"name": "api-7f9c-x2x8z", "namespace": "shop", "creationTimestamp": "2026-11-30T10:00:00Z",
                  "labels": {"app": "api", "pod-template-hash": "7f9c"},
                  "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7f9c", "controller": true}]},
                 "spec": {"serviceAccountName": "api",
                  "initContainers": [{"name": "wait-for-db", "image": "busybox"}, {"name": "migrate", "image": "api"}],
                  "containers": [{"name": "server", "image": "api"}]}}""");
        dev.tailor.identity.PodRecord seen =
                dev.tailor.observe.admission.AdmissionStreamReader.podRecord("uid-1", "", "", pod);
        assertEquals(List.of("migrate", "wait-for-db"), seen.initContainers());
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            store.ingestPods(List.of(seen));
            store.ingestPods(List.of(dev.tailor.observe.admission.AdmissionStreamReader.podRecord(
                    "uid-2", "", "", pod))); // another pod of the same template
            java.util.Set<String> expected =
                    java.util.Set.of("shop/deployment.api/migrate", "shop/deployment.api/wait-for-db");
            assertEquals(expected, store.initContainers());
            assertEquals(expected, snapshotOf(store).initContainers());
        }
    }

    /**
     * A snapshot reads the store's tables a page at a time ({@link AggregateTable#READ_PAGE} rows): more rows than two
     * pages, with their days, come back as the store has them, sorted as it reads them; the store is not held while a
     * page is written to the client — another writer stores a row while the client's first bytes wait on it, and a
     * later page hands that row over.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void aSnapshotReadsTheStoreAPageAtATime(String kind) throws Exception {
        int rows = AggregateTable.READ_PAGE * 2 + 345;
        Instant monday = Instant.parse("2026-11-30T10:00:00Z");
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            List<Sighting<SyscallUse>> batch = new ArrayList<>();
            for (int i = 0; i < rows; i++) {
                SyscallUse use = new SyscallUse("shop", "deployment.api-" + i, "server", "", "x86_64", "read", "");
                for (int day = 0; day <= i % 3; day++) {
                    batch.add(Sighting.of(i + "/" + day, monday.plus(java.time.Duration.ofDays(day)), use));
                }
            }
            store.ingestSyscallUses(batch);
            SyscallUse late = new SyscallUse("shop", "deployment.late", "server", "", "x86_64", "write", "");
            Thread[] writer = {null};
            java.io.ByteArrayOutputStream client = new java.io.ByteArrayOutputStream() {
                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    if (writer[0] == null) {
                        writer[0] = new Thread(() -> {
                            try {
                                store.ingestSyscallUses(List.of(Sighting.of("late", monday, late)));
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        writer[0].start();
                        try {
                            writer[0].join(10_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    super.write(b, off, len);
                }
            };
            ObservationSnapshot.write(store, java.time.Duration.ofDays(7), null, client);
            assertFalse(writer[0].isAlive(), "another writer waited for the snapshot to end");
            ObservationSnapshot snapshot =
                    ObservationSnapshot.read(new java.io.ByteArrayInputStream(client.toByteArray()));
            Map<SyscallUse, ObservationStore.StoredAccess> stored = store.syscallUses();
            assertEquals(rows + 1, stored.size());
            assertEquals(
                    3,
                    stored.get(new SyscallUse("shop", "deployment.api-2", "server", "", "x86_64", "read", ""))
                            .days()
                            .size());
            assertEquals(stored, snapshot.syscallUses());
            assertEquals(
                    List.copyOf(stored.keySet()),
                    List.copyOf(snapshot.syscallUses().keySet()));
        }
    }

    /** The store as the webhook hands it to a CLI: its snapshot, written and read back. */
    private static ObservationSnapshot snapshotOf(ObservationStore store) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ObservationSnapshot.write(store, java.time.Duration.ofDays(7), null, out);
        return ObservationSnapshot.read(new java.io.ByteArrayInputStream(out.toByteArray()));
    }

    /**
     * {@code kubectl debug} adds an ephemeral container through the pod's {@code ephemeralcontainers} subresource: the
     * review the webhook is sent names it, and the store keeps it apart from the template's containers.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void theEphemeralContainersKubectlDebugAddsAreKept(String kind) throws Exception {
        com.fasterxml.jackson.databind.JsonNode request =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"uid": "5d1c-debug", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                 "resource": {"group": "", "version": "v1", "resource": "pods"}, "subResource": "ephemeralcontainers",
                 "name": "api-7f9c-x2x8z", "namespace": "shop", "operation": "UPDATE",
                 "object": {"metadata": {"name": "api-7f9c-x2x8z", "namespace": "shop",
                   "creationTimestamp": "2026-11-30T10:00:00Z", "labels": {"app": "api", "pod-template-hash": "7f9c"},
                   "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7f9c", "controller": true}]},
                  "spec": {"serviceAccountName": "api", "containers": [{"name": "server", "image": "api"}],
                   "ephemeralContainers": [{"name": "debugger-x7k2p", "image": "busybox", "targetContainerName": "server"}]}}}""");
        dev.tailor.identity.PodRecord seen = dev.tailor.observe.admission.AdmissionStreamReader.podSeen(
                request, java.time.Instant.parse("2026-12-01T09:00:00Z"));
        assertEquals(List.of("debugger-x7k2p"), seen.ephemeralContainers());
        assertEquals(List.of(), seen.initContainers());
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            store.ingestPods(List.of(seen));
            java.util.Set<String> expected = java.util.Set.of("shop/deployment.api/debugger-x7k2p");
            assertEquals(expected, store.ephemeralContainers());
            assertEquals(java.util.Set.of(), store.initContainers());
            assertEquals(expected, snapshotOf(store).ephemeralContainers());
        }
    }

    /**
     * Kubernetes refuses an ephemeral container named like one of its pod's containers; one named like the workload's
     * template container was added to a pod made to claim the workload's ReplicaSet (anyone who may create pods in the
     * namespace can), and must not make generate take the template's container for kubectl debug's. Whichever the
     * store hears of first.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void anEphemeralContainerNamedLikeTheTemplatesContainerIsNotTakenForIt(String kind) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.time.Instant seen = java.time.Instant.parse("2026-12-01T09:00:00Z");
        dev.tailor.identity.PodRecord real =
                dev.tailor.observe.admission.AdmissionStreamReader.podSeen(json.readTree("""
                {"uid": "7a0e-create", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                 "resource": {"group": "", "version": "v1", "resource": "pods"},
                 "name": "", "namespace": "shop", "operation": "CREATE",
                 "object": {"metadata": {"generateName": "api-7f9c-", "namespace": "shop",
                   "labels": {"app": "api", "pod-template-hash": "7f9c"},
                   "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7f9c", "controller": true}],
                   "managedFields": [{"manager": "kube-controller-manager", "time": "2026-11-30T10:00:00Z"}]},
                  "spec": {"serviceAccountName": "api",
                   "containers": [{"name": "server", "image": "api"}, {"name": "metrics", "image": "exporter"}]}}}"""), seen);
        assertEquals(List.of("metrics", "server"), real.containers());
        // The made-up pod: its own container, and kubectl debug's named like the template's, beside a real debugger.
        dev.tailor.identity.PodRecord madeUp =
                dev.tailor.observe.admission.AdmissionStreamReader.podSeen(json.readTree("""
                {"uid": "9b3f-debug", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                 "resource": {"group": "", "version": "v1", "resource": "pods"}, "subResource": "ephemeralcontainers",
                 "name": "api-7f9c-fake1", "namespace": "shop", "operation": "UPDATE",
                 "object": {"metadata": {"name": "api-7f9c-fake1", "namespace": "shop",
                   "creationTimestamp": "2026-11-30T11:00:00Z", "labels": {"app": "api", "pod-template-hash": "7f9c"},
                   "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7f9c", "controller": true}]},
                  "spec": {"serviceAccountName": "api", "containers": [{"name": "shell", "image": "busybox"}],
                   "ephemeralContainers": [{"name": "server", "image": "busybox"},
                    {"name": "debugger-q8r2m", "image": "busybox"}]}}}"""), seen);
        java.util.Set<String> expected = java.util.Set.of("shop/deployment.api/debugger-q8r2m");
        for (List<dev.tailor.identity.PodRecord> order : List.of(List.of(real, madeUp), List.of(madeUp, real))) {
            try (ObservationStore store = ObservationStore.open(url(kind))) {
                for (dev.tailor.identity.PodRecord p : order) {
                    store.ingestPods(List.of(p));
                }
                assertEquals(expected, store.ephemeralContainers(), "stored in the order " + order);
                java.util.Set<String> regular = java.util.Set.of(
                        "shop/deployment.api/metrics", "shop/deployment.api/server", "shop/deployment.api/shell");
                assertEquals(regular, store.workloadContainers());
                ObservationSnapshot snapshot = snapshotOf(store);
                assertEquals(expected, snapshot.ephemeralContainers());
                assertEquals(regular, snapshot.workloadContainers());
            }
        }
    }

    /**
     * A pod a namespace's CI account created naming the Deployment's ReplicaSet as its owner is its own workload in the
     * store: its creation is stored so, its later update (which names the owner again) too, and another webhook
     * replica that stored that update before it heard of the refusal takes the refusal from the store — for what it
     * attributes from then on and for what generate reads. When its controller creates a pod of that name later (a
     * StatefulSet's names come back), the name is the owner's again, whichever replica writes which creation first.
     */
    private static final String API_POD_REVIEW = """
            {"uid": "UID", "kind": {"group": "", "version": "v1", "kind": "Pod"},
             "resource": {"group": "", "version": "v1", "resource": "pods"},
             "name": "NAME", "namespace": "shop", "operation": "OP", "userInfo": {"username": "USER"},
             "object": {"metadata": {"name": "NAME", "namespace": "shop", "creationTimestamp": "TIME",
               "labels": {"app": "api", "pod-template-hash": "7f9c5d"},
               "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7f9c5d",
                 "uid": "0d6f3a52-1c1e-4b7a-9f0e-3b5c7d9e1a2b", "controller": true}]},
              "spec": {"serviceAccountName": "api", "containers": [{"name": "server", "image": "api"}]}}}""";

    /**
     * A pod of shop's Deployment {@code api} as the admission stream shows it: its controller reference names the
     * Deployment's ReplicaSet, whoever {@code user} is.
     */
    private static dev.tailor.identity.PodRecord apiPodSeen(
            String uid, String name, String operation, String user, String created, Instant seen) {
        try {
            return dev.tailor.observe.admission.AdmissionStreamReader.podSeen(
                    new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(API_POD_REVIEW
                                    .replace("UID", uid)
                                    .replace("NAME", name)
                                    .replace("OP", operation)
                                    .replace("USER", user)
                                    .replace("TIME", created)),
                    seen);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aPodWhoseCreationsOwnerWasNotBelievedIsItsOwnWorkloadForEveryReplica(String kind) throws Exception {
        Instant seen = Instant.parse("2026-12-01T09:00:00Z");
        java.util.function.Function<String[], dev.tailor.identity.PodRecord> sighting =
                a -> apiPodSeen(a[0], a[1], a[2], a[3], a.length > 4 ? a[4] : "2026-11-30T11:00:00Z", seen);
        String controller = "system:serviceaccount:kube-system:replicaset-controller";
        String ci = "system:serviceaccount:shop:ci-runner";
        dev.tailor.identity.PodRecord real =
                sighting.apply(new String[] {"r-1", "api-7f9c5d-x2x8z", "CREATE", controller});
        dev.tailor.identity.PodRecord forged = sighting.apply(new String[] {"f-1", "api-7f9c5d-zz4kd", "CREATE", ci});
        dev.tailor.identity.PodRecord update = sighting.apply(new String[] {"f-2", "api-7f9c5d-zz4kd", "UPDATE", ci});
        Workload deployment = new Workload("shop", "Deployment", "api");
        Workload own = new Workload("shop", "Pod", "api-7f9c5d-zz4kd");
        Map<String, String> labels = Map.of("app", "api", "pod-template-hash", "7f9c5d");
        String url = url(kind);
        try (ObservationStore replicaA = ObservationStore.open(url);
                ObservationStore replicaB = ObservationStore.open(url)) {
            replicaB.pods(); // read before the forged pod is heard of
            replicaA.ingestPods(List.of(real, forged));
            replicaB.ingestPods(List.of(update)); // before it re-reads the refusals (at most once a second)
            replicaA.ingestPods(List.of(update));
            assertEquals(own, replicaA.pods().workload("shop", "api-7f9c5d-zz4kd", labels, deployment));
            assertEquals(deployment, replicaA.pods().workload("shop", "api-7f9c5d-x2x8z", labels, null));
            Thread.sleep(1_100);
            assertEquals(
                    own,
                    replicaB.pods().workload("shop", "api-7f9c5d-zz4kd", labels, deployment),
                    "replica B, which stored the update as the owner's, has read the refusal since");
            java.util.Set<String> identities = new java.util.TreeSet<>();
            replicaB.podIdentities()
                    .keySet()
                    .forEach(p -> identities.add(p.pod() + " " + p.workloadKind() + "." + p.workloadName()));
            assertEquals(
                    Set.of("api-7f9c5d-x2x8z Deployment.api", "api-7f9c5d-zz4kd Pod.api-7f9c5d-zz4kd"),
                    identities,
                    "generate reads the forged pod as its own workload only, the update B stored as the owner's left out");
        }
        try (ObservationStore reopened = ObservationStore.open(url)) {
            assertEquals(own, reopened.pods().workload("shop", "api-7f9c5d-zz4kd", labels, deployment));
            assertEquals(
                    Set.of("shop/deployment.api/server", "shop/pod.api-7f9c5d-zz4kd/server"),
                    reopened.workloadContainers(),
                    "the forged pod's containers are not the Deployment template's");
            // The name created again by the controller, written by replica B before A writes the made-up creation
            // (again: a replica that retries its batch), an hour older.
            reopened.ingestPods(List.of(sighting.apply(
                    new String[] {"r-2", "api-7f9c5d-zz4kd", "CREATE", controller, "2026-11-30T12:00:00Z"})));
            reopened.ingestPods(List.of(
                    sighting.apply(new String[] {"f-3", "api-7f9c5d-zz4kd", "CREATE", ci, "2026-11-30T11:00:00Z"})));
        }
        try (ObservationStore again = ObservationStore.open(url)) {
            assertEquals(
                    deployment,
                    again.pods().workload("shop", "api-7f9c5d-zz4kd", labels, null),
                    "the controller's creation is the later one");
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aPrunedStoreForgetsWhatCameBeforeItsHorizonButNotPodsThatStillExist(String kind) throws Exception {
        Instant old = Instant.parse("2026-10-01T10:00:00Z");
        Instant recent = Instant.parse("2026-12-01T10:00:00Z");
        Instant keptFrom = Instant.parse("2026-11-20T06:00:00Z");
        String controller = "system:serviceaccount:kube-system:replicaset-controller";
        String ci = "system:serviceaccount:shop:ci-runner";
        java.util.function.BiFunction<String, String, dev.tailor.identity.PodRecord> created =
                (name, user) -> apiPodSeen("c-" + name, name, "CREATE", user, old.toString(), old);
        ApiAccess once =
                new ApiAccess("system:serviceaccount:shop:api", "get", "", "secrets", "", "shop", "a", "", false);
        ApiAccess twice =
                new ApiAccess("system:serviceaccount:shop:api", "list", "", "pods", "", "shop", "", "", false);
        NetworkEdge edge =
                new NetworkEdge("shop", "Deployment.api", "", "shop", "Deployment.db", "", "", "TCP", 5432, false);
        java.util.function.Function<Instant, dev.tailor.contract.AdmissionDecision> decision =
                t -> new dev.tailor.contract.AdmissionDecision(
                        t,
                        "d-" + t,
                        "shop",
                        "Deployment.api",
                        ci,
                        "CREATE",
                        "Pod",
                        "x",
                        "audit",
                        "runAsNonRoot",
                        "deny",
                        "m");
        Workload deployment = new Workload("shop", "Deployment", "api");
        Map<String, String> labels = Map.of("app", "api", "pod-template-hash", "7f9c5d");
        String url = url(kind);
        try (ObservationStore store = ObservationStore.open(url)) {
            store.ingestAccesses(List.of(
                    Sighting.of("a-1", old, once), Sighting.of("a-2", old, twice), Sighting.of("a-3", recent, twice)));
            store.ingestEdges(List.of(Sighting.of("f-1", old, edge)));
            store.ingestDecisions(List.of(decision.apply(old), decision.apply(recent)));
            store.ingestPods(List.of(
                    created.apply("api-7f9c5d-gone1", controller), // deleted since
                    created.apply("api-7f9c5d-runs1", controller), // still running, never updated
                    created.apply("api-7f9c5d-fake1", ci), // made up, deleted since
                    created.apply("api-7f9c5d-fake2", ci))); // made up, still running
            Set<String> existing = Set.of("shop/api-7f9c5d-runs1", "shop/api-7f9c5d-fake2");

            ObservationStore.Pruned first = store.prune(keptFrom, null);
            assertEquals(keptFrom, first.keptFrom());
            assertEquals(1L, first.removed().get("api_access"), first.toString()); // the get seen only before
            assertEquals(1L, first.removed().get("network_flow"));
            assertEquals(1L, first.removed().get("admission_decision"));
            assertEquals(
                    7L, first.removed().get("ingested_block"), "the events before it: two accesses, a flow, four pods");
            assertEquals(0L, first.removed().get("pod_identity"), "pods that may exist are kept when none are known");
            assertEquals(0L, first.removed().get("pod_owner_refused"));
            ObservationStore.Pruned pruned = store.prune(keptFrom, existing);
            assertEquals(2L, pruned.removed().get("pod_identity"), pruned.toString());
            assertEquals(1L, pruned.removed().get("pod_owner_refused"));
            assertEquals(0L, pruned.removed().get("api_access"));

            assertEquals(Set.of(twice), store.apiAccesses().keySet());
            ObservationStore.StoredAccess list = store.apiAccesses().get(twice);
            assertEquals(
                    Map.of(java.time.LocalDate.parse("2026-12-01"), 1L),
                    list.days(),
                    "the day before the horizon is gone");
            assertEquals(
                    old, list.firstSeen(), "an access seen on both sides keeps its whole history's first sighting");
            assertTrue(store.networkEdges().isEmpty());
            assertEquals(
                    List.of(recent),
                    store.decisions(Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z")).stream()
                            .map(dev.tailor.contract.AdmissionDecision::time)
                            .toList());
            assertEquals(1L, store.ingestedEvents("audit"), "the fingerprints of the minutes before the horizon go");
            java.util.Set<String> pods = new java.util.TreeSet<>();
            store.podIdentities()
                    .keySet()
                    .forEach(p -> pods.add(p.pod() + " " + p.workloadKind() + "." + p.workloadName()));
            assertEquals(
                    Set.of("api-7f9c5d-runs1 Deployment.api", "api-7f9c5d-fake2 Pod.api-7f9c5d-fake2"),
                    pods,
                    "the pods that exist stay, however long ago they were seen");
            assertEquals(
                    new Workload("shop", "Pod", "api-7f9c5d-fake2"),
                    store.pods().workload("shop", "api-7f9c5d-fake2", labels, deployment),
                    "a made-up pod that still runs does not regain the owner it claims by growing old");
            assertEquals(
                    deployment,
                    store.pods().workload("shop", "api-7f9c5d-fake1", labels, deployment),
                    "a name forgotten is attributed as Hubble says, like any pod never seen");

            // What happened before the horizon is not stored again, sent twice or first: its fingerprint is gone.
            assertEquals(
                    new ObservationStore.BatchResult(1, 0, 0, 2),
                    store.ingestAccesses(List.of(
                            Sighting.of("a-1", old, once),
                            Sighting.of("a-9", old, once),
                            Sighting.of("a-10", recent, once))));
            assertEquals(
                    new ObservationStore.BatchResult(0, 0, 0, 1), store.ingestDecisions(List.of(decision.apply(old))));
            assertEquals(
                    new ObservationStore.BatchResult(0, 0, 0, 1),
                    store.ingestPods(List.of(created.apply("api-7f9c5d-late1", controller))));
            assertEquals(
                    keptFrom,
                    store.prune(keptFrom.minusSeconds(86_400), existing).keptFrom(),
                    "the horizon never moves back");
        }
        try (ObservationStore reopened = ObservationStore.open(url)) {
            assertEquals(
                    new ObservationStore.BatchResult(0, 0, 0, 1),
                    reopened.ingestAccesses(List.of(Sighting.of("a-2", old, twice))),
                    "the horizon is the store's, not the process's");
        }
    }

    /** A prune takes the aggregates a page at a time (a transaction each): every old one goes, whatever the pages. */
    @ParameterizedTest
    @MethodSource("stores")
    void aPruneOfMorePagesThanOneForgetsEveryOldAggregateAndNoOther(String kind) throws Exception {
        Instant old = Instant.parse("2026-10-01T10:00:00Z");
        Instant recent = Instant.parse("2026-12-01T10:00:00Z");
        int n = 2 * AggregateTable.FORGET_PAGE + 501;
        List<Sighting<ApiAccess>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Old and recent ones interleaved by id, so that every page holds both.
            batch.add(Sighting.of(
                    "e-" + i,
                    i % 3 == 0 ? recent : old,
                    new ApiAccess(
                            "system:serviceaccount:shop:api",
                            "get",
                            "",
                            "configmaps",
                            "",
                            "shop",
                            "c-" + i,
                            "",
                            false)));
        }
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            store.ingestAccesses(batch);
            long recentOnes = (n + 2) / 3;
            ObservationStore.Pruned pruned = store.prune(Instant.parse("2026-11-20T00:00:00Z"), null);
            assertEquals(n - recentOnes, pruned.removed().get("api_access"));
            Map<ApiAccess, ObservationStore.StoredAccess> left = store.apiAccesses();
            assertEquals(recentOnes, left.size());
            assertTrue(left.values().stream().allMatch(a -> a.lastSeen().equals(recent)));
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void ingestingTheSameEventsAgainChangesNothing(String kind) throws Exception {
        String url = url(kind);
        List<ApiRequest> requests = demo();
        Map<ApiAccess, ObservationStore.StoredAccess> once;
        try (ObservationStore store = ObservationStore.open(url)) {
            TestStores.ingestAudit(store, requests.subList(0, 20));
            TestStores.ingestAudit(store, requests);
            once = store.apiAccesses();
        }
        try (ObservationStore reopened = ObservationStore.open(url)) {
            assertEquals(new ObservationStore.BatchResult(0, 37), TestStores.ingestAudit(reopened, requests));
            assertEquals(once, reopened.apiAccesses(), "reopened and re-ingested, the store is the same");
            assertEquals(
                    37L,
                    reopened.apiAccesses().values().stream()
                            .mapToLong(ObservationStore.StoredAccess::count)
                            .sum());
            // As tailor observe hands them over (sightings of their accesses): the same events, by their audit IDs.
            assertEquals(
                    new ObservationStore.BatchResult(0, 37),
                    reopened.ingestAccesses(requests.stream()
                            .map(r -> Sighting.of(r.auditId(), r.time(), ApiAccess.of(r)))
                            .toList()));
            assertEquals(once, reopened.apiAccesses());
        }
        try (ObservationStore another = ObservationStore.open(url(kind))) {
            assertEquals(
                    new ObservationStore.BatchResult(37, 0),
                    another.ingestAccesses(requests.stream()
                            .map(r -> Sighting.of(r.auditId(), r.time(), ApiAccess.of(r)))
                            .toList()));
            assertEquals(once, another.apiAccesses(), "stored as sightings, the same as stored as requests");
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void anEventTooLongIsRefusedAloneAndABatchThatFailsLeavesNothingBehind(String kind) throws Exception {
        List<ApiRequest> requests = new ArrayList<>(demo());
        ApiRequest good = requests.get(0);
        // A verb longer than the column: refused alone (Columns), the rest of the batch is stored.
        List<ApiRequest> withTooLong = new ArrayList<>(requests);
        withTooLong.add(malloryGetsPods("broken-1", "x".repeat(100)));
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            assertEquals(
                    new ObservationStore.BatchResult(requests.size(), 0, 1),
                    TestStores.ingestAudit(store, withTooLong));
        }
        // A batch the database refuses half-way (here: a constraint the test adds refuses one subject) leaves nothing
        // behind.
        String other = url(kind);
        requests.add(malloryGetsPods("broken-2", "get"));
        try (ObservationStore store = ObservationStore.open(other);
                java.sql.Connection c = java.sql.DriverManager.getConnection(other);
                java.sql.Statement s = c.createStatement()) {
            s.execute("ALTER TABLE api_access ADD CONSTRAINT no_mallory CHECK (subject <> 'mallory')");
            Supplier<Long> total = () -> {
                try {
                    return store.apiAccesses().values().stream()
                            .mapToLong(ObservationStore.StoredAccess::count)
                            .sum();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            };
            assertThrows(SQLException.class, () -> TestStores.ingestAudit(store, requests));
            assertEquals(0L, total.get(), "no half-written batch");
            // The failed batch marked nothing as ingested: the good events go in when sent again.
            assertEquals(new ObservationStore.BatchResult(1, 0), TestStores.ingestAudit(store, List.of(good)));
            assertEquals(1L, total.get());
        }
    }

    /** mallory's request for the pods of default, with {@code verb}. */
    private static ApiRequest malloryGetsPods(String id, String verb) {
        return new ApiRequest(
                id,
                Instant.parse("2017-09-11T20:00:00Z"),
                "mallory",
                List.of(),
                "",
                verb,
                "",
                "v1",
                "pods",
                "",
                "default",
                "",
                "",
                200);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void twoWritersOnOneStoreCountEachEventOnce(String kind) throws Exception {
        // Two webhook replicas on one store: each learns what the other stored since its last batch of that hour.
        String url = url(kind);
        List<ApiRequest> requests = demo();
        try (ObservationStore a = ObservationStore.open(url);
                ObservationStore b = ObservationStore.open(url)) {
            assertEquals(new ObservationStore.BatchResult(20, 0), TestStores.ingestAudit(a, requests.subList(0, 20)));
            assertEquals(new ObservationStore.BatchResult(10, 20), TestStores.ingestAudit(b, requests.subList(0, 30)));
            assertEquals(new ObservationStore.BatchResult(7, 30), TestStores.ingestAudit(a, requests));
            assertEquals(new ObservationStore.BatchResult(0, 37), TestStores.ingestAudit(b, requests));
            assertEquals(37L, a.ingestedEvents("audit"));
            assertEquals(
                    37L,
                    a.apiAccesses().values().stream()
                            .mapToLong(ObservationStore.StoredAccess::count)
                            .sum());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aStoreFilledBeforeFingerprintBlocksKeepsItsKeys(String kind) throws Exception {
        // A store at schema version 5 kept one row per event, its key behind twelve hex digits of its time.
        String url = url(kind);
        StoreSchema.migrations(url).target("5").load().migrate();
        List<ApiRequest> requests = demo();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.PreparedStatement insert =
                        c.prepareStatement("INSERT INTO ingested_event (source, event_key) VALUES ('audit', ?)")) {
            for (ApiRequest r : requests.subList(0, 25)) {
                insert.setString(1, String.format("%012x:%s", r.time().toEpochMilli(), r.auditId()));
                insert.executeUpdate();
            }
        }
        try (ObservationStore store = ObservationStore.open(url)) {
            assertEquals(25L, store.ingestedEvents("audit"));
            assertEquals(new ObservationStore.BatchResult(12, 25), TestStores.ingestAudit(store, requests));
        }
    }

    private static final Instant FAR = Instant.parse("9999-01-01T00:00:00Z");

    /** A decision-log line of shop's api Deployment's pod: {@code check} "" and {@code allowed}, or a check's. */
    private static dev.tailor.contract.AdmissionDecision decision(Instant t, String uid, String check, String verdict) {
        return new dev.tailor.contract.AdmissionDecision(
                t,
                uid,
                "shop",
                "deployment.api",
                "system:serviceaccount:kube-system:replicaset-controller",
                "CREATE",
                "Pod",
                "api-7d4b9c-" + uid,
                "audit",
                check,
                verdict,
                check.isEmpty() ? "" : check + ": not as the profile says");
    }

    /**
     * A request the webhook found nothing against is counted — by namespace, workload, kind, operation and mode, by
     * day, once per UID — not stored as a row of its own; a line that names a check is stored as it is. The enforce
     * preview counts both among a namespace's requests, the allowed ones by the UTC days its window touches, from the
     * store as from a snapshot of it.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void requestsAllowedWithNoCheckAreCountedByDayOnce(String kind) throws Exception {
        Instant monday = Instant.parse("2026-11-30T10:00:00Z");
        Instant tuesday = monday.plus(java.time.Duration.ofDays(1));
        List<dev.tailor.contract.AdmissionDecision> lines = List.of(
                decision(monday, "u-1", "", "allowed"),
                decision(monday.plusSeconds(60), "u-2", "", "allowed"),
                decision(tuesday, "u-3", "", "allowed"),
                decision(tuesday, "u-4", "runAsNonRoot", "warned"),
                decision(tuesday, "u-4", "hostPath", "warned"));
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            assertEquals(new ObservationStore.BatchResult(5, 0), store.ingestDecisions(lines));
            assertEquals(new ObservationStore.BatchResult(0, 5), store.ingestDecisions(lines), "sent again");
            assertEquals(
                    List.of("u-4 hostPath", "u-4 runAsNonRoot"),
                    store.decisions(Instant.EPOCH, FAR).stream()
                            .map(d -> d.uid() + " " + d.check())
                            .toList());
            Map<dev.tailor.observe.admission.AllowedRequests, ObservationStore.StoredAccess> allowed =
                    store.allowedRequests();
            assertEquals(
                    Map.of(
                            new dev.tailor.observe.admission.AllowedRequests(
                                    "shop", "deployment.api", "Pod", "CREATE", "audit"),
                            new ObservationStore.StoredAccess(
                                    monday,
                                    tuesday,
                                    3,
                                    Map.of(
                                            java.time.LocalDate.parse("2026-11-30"),
                                            2L,
                                            java.time.LocalDate.parse("2026-12-01"),
                                            1L))),
                    allowed);
            assertEquals(java.util.Optional.of(tuesday), store.lastDecision());
            assertEquals(
                    java.util.Optional.of(Instant.parse("2026-11-30T00:00:00Z")),
                    store.earliest(),
                    "the start of the oldest day counted");

            var week = store.enforcePreviews(tuesday.minus(java.time.Duration.ofDays(7)), tuesday.plusNanos(1))
                    .get("shop");
            assertEquals(4, week.requests(), week.toString());
            assertEquals(1, week.wouldReject(), week.toString());
            var tuesdayOnly = store.enforcePreviews(
                            Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-02T00:00:00Z"), "shop")
                    .get("shop");
            assertEquals(2, tuesdayOnly.requests(), "u-3 and u-4: " + tuesdayOnly);
            // Summed by the database, as the webhook's previews count them.
            assertEquals(
                    Map.of("shop", 3L),
                    store.allowedRequests(tuesday.minus(java.time.Duration.ofDays(7)), tuesday.plusNanos(1), null));
            assertEquals(
                    Map.of("shop", 1L),
                    store.allowedRequests(
                            Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-02T00:00:00Z"), "shop"));
            assertEquals(Map.of(), store.allowedRequests(Instant.EPOCH, FAR, "vault"));

            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ObservationSnapshot.write(store, java.time.Duration.ofDays(6), tuesday.plusNanos(1), out);
            ObservationSnapshot snapshot =
                    ObservationSnapshot.read(new java.io.ByteArrayInputStream(out.toByteArray()));
            assertEquals(allowed, snapshot.allowedRequests());
            Instant since = tuesday.plusNanos(1).minus(java.time.Duration.ofDays(6));
            // Counted by the database, and from the snapshot's lines.
            assertEquals(
                    store.enforcePreviews(since, tuesday.plusNanos(1)),
                    snapshot.enforcePreviews(since, tuesday.plusNanos(1)));
            // And counted by the store as it writes the snapshot, in place of the lines, for the window to its end.
            out.reset();
            ObservationSnapshot.write(store, java.time.Duration.ofDays(6), tuesday, out, store::enforcePreviews);
            ObservationSnapshot previewed =
                    ObservationSnapshot.read(new java.io.ByteArrayInputStream(out.toByteArray()));
            Instant from = tuesday.minus(java.time.Duration.ofDays(6));
            assertEquals(
                    store.enforcePreviews(from, tuesday.plusNanos(1)),
                    previewed.enforcePreviews(from, tuesday.plusNanos(1)));
            assertEquals(
                    1,
                    previewed
                            .enforcePreviews(from, tuesday.plusNanos(1))
                            .get("shop")
                            .wouldReject());
        }
    }

    /**
     * The database's counts ({@code StoredEnforcePreviews}, what a store counts when a tally would keep too much) are
     * the tally's over the same lines ({@code EnforcePreview.Tally}), on every kind of line the preview
     * tells apart: a workload's own object rejected and its controllers' objects for the same check (one rejection) and
     * another (counted), a namespace's guard, a check that denies in every mode, an evaluation error, an object of no
     * workload, one object's name in two requests, another namespace's workload of the same name, lines of no
     * namespace and out of the window, more named objects than the examples hold, and a request's lines apart in time
     * with others' between.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void theDatabaseCountsThePreviewsAsTheTallyDoes(String kind) throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        List<dev.tailor.contract.AdmissionDecision> lines = new ArrayList<>();
        // uid, namespace, workload, kind, name, mode, check, verdict
        java.util.function.Consumer<String> line = f -> {
            String[] p = f.split(" ", -1);
            lines.add(new dev.tailor.contract.AdmissionDecision(
                    t.plusSeconds(lines.size()),
                    p[0],
                    p[1],
                    p[2],
                    "dev",
                    "CREATE",
                    p[3],
                    p[4],
                    p[5],
                    p[6],
                    p[7],
                    p[7].equals("allowed") ? "" : p[6] + " is not met"));
        };
        line.accept("u1 shop deployment.api Deployment api audit privileged warned");
        line.accept("u2 shop deployment.api ReplicaSet api-7f9c audit privileged warned");
        line.accept("u3 shop deployment.api Pod api-7f9c-a audit privileged warned");
        line.accept("u3 shop deployment.api Pod api-7f9c-a audit hostPath warned");
        line.accept("u7 shop deployment.api Pod api-7f9c-a audit hostPath warned");
        line.accept("u8 shop deployment.api Pod api-7f9c-b audit hostPath warned");
        line.accept("u4 shop namespace.shop Namespace shop enforce namespaceAnnotationGuard denied");
        line.accept("u5 shop pod.debug Pod debug enforce hostNamespaces denied");
        line.accept("u6 shop pod.tool Pod tool audit approvedSeccompProfile denied");
        line.accept("u9 shop  Pod web audit  error");
        line.accept("u14 shop  ConfigMap settings audit someCheck warned");
        line.accept("u10 shop cronjob.nightly CronJob nightly audit runAsNonRoot warned");
        line.accept("u11 shop cronjob.nightly Job nightly-29412 audit runAsNonRoot warned");
        line.accept("u12 shop cronjob.nightly Pod nightly-29412-x audit runAsNonRoot warned");
        line.accept("u13 shop cronjob.nightly Pod nightly-29413-y audit runAsNonRoot warned");
        line.accept("u15 batch deployment.api Pod api-5d6e-c audit privileged warned");
        line.accept("u16 batch deployment.api Pod api-5d6e-d audit privileged warned");
        line.accept("u17  namespace.batch Namespace batch audit namespaceAnnotationGuard warned");
        for (int i = 0; i < 12; i++) {
            line.accept(String.format("w%02d shop deployment.w%02d Pod w%02d-1-x audit volumeTypes warned", i, i, i));
        }
        // u5's second check, 23 seconds after its first, with others' lines between: still one request.
        line.accept("u5 shop pod.debug Pod debug enforce volumeTypes denied");
        Instant from = t;
        Instant until = t.plusSeconds(lines.size());
        line.accept("u18 shop pod.late Pod late audit hostPath warned"); // at the window's end: out of it
        lines.add(0, decision(t.minusSeconds(1), "u19", "hostPath", "warned")); // before it
        lines.add(decision(t.plusSeconds(5), "u20", "", "allowed"));
        lines.add(decision(t.plusSeconds(6), "u21", "", "allowed"));
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            store.ingestDecisions(lines);
            Map<String, dev.tailor.observe.admission.EnforcePreview> counted =
                    store.enforcePreviews(from, until, null, 0);
            assertEquals(store.enforcePreviews(from, until), counted);
            assertEquals(dev.tailor.observe.admission.EnforcePreview.perNamespace(store, from, until), counted);
            assertEquals(java.util.Set.of("batch", "shop"), counted.keySet());
            var shop = counted.get("shop");
            // u1-u14, w00-w11 and the two allowed requests.
            assertEquals(14 + 12 + 2, shop.requests(), shop.toString());
            // u1, u3, u7, u8, u5, u14, u10 and w00-w11.
            assertEquals(7 + 12, shop.wouldReject(), shop.toString());
            assertEquals(Map.of("deployment.api", 1L), shop.byCheck().get("privileged"));
            assertEquals(Map.of("deployment.api", 3L), shop.byCheck().get("hostPath"));
            assertEquals(Map.of("ConfigMap/settings", 1L), shop.byCheck().get("someCheck"));
            assertEquals(1L, shop.byCheck().get("volumeTypes").get("pod.debug"));
            assertEquals(10, shop.examples().size(), shop.toString());
            assertEquals(
                    "api-7f9c-a (and 1 other pod) of deployment.api: hostPath",
                    shop.examples().get(1));
            assertEquals(
                    "w04-1-x of deployment.w04: volumeTypes", shop.examples().get(9));
            assertEquals(2, counted.get("batch").wouldReject(), "its own workload's pods, not shop's");
            assertEquals(
                    Map.of("shop", shop),
                    store.enforcePreviews(from, until, "shop", 0),
                    "one namespace, as the webhook asks");
            assertEquals(Map.of("shop", shop), store.enforcePreviews(from, until, "shop"));
            assertEquals(Map.of(), store.enforcePreviews(from, until, "vault", 0));
            assertEquals(Map.of(), store.enforcePreviews(from, until, "vault"));
        }
    }

    /**
     * A namespace of one-off workloads (bare pods, as a CI system's runs make them: each its own workload) has a
     * preview the size of a page: a check names its {@code WORKLOADS_PER_CHECK} most rejected workloads (of equal
     * counts, the first by name) and sums the rest, and the examples are the first keys' — the same from the database,
     * from a tally, and from a tally that ran out of room and left it to the database.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void aPreviewOfOneOffWorkloadsNamesTheMostRejectedAndSumsTheRest(String kind) throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        List<dev.tailor.contract.AdmissionDecision> lines = new ArrayList<>();
        java.util.function.BiConsumer<String, String> warned =
                (workload, pod) -> lines.add(new dev.tailor.contract.AdmissionDecision(
                        t.plusSeconds(lines.size()),
                        "u" + lines.size(),
                        "ci",
                        workload,
                        "system:serviceaccount:ci:runner",
                        "CREATE",
                        "Pod",
                        pod,
                        "audit",
                        "runAsNonRoot",
                        "warned",
                        "runAsNonRoot is not met"));
        int runs = dev.tailor.observe.admission.EnforcePreview.WORKLOADS_PER_CHECK + 30;
        for (int i = 0; i < runs; i++) {
            String pod = String.format("run-%03d", i);
            warned.accept("pod." + pod, pod);
        }
        warned.accept("pod.run-005", "run-005"); // the same name made again
        for (int i = 0; i < 3; i++) {
            warned.accept("pod.run-120", "run-120");
        }
        warned.accept("deployment.web", "web-7f9c-a");
        warned.accept("deployment.web", "web-7f9c-b");
        Instant until = t.plusSeconds(lines.size());
        // What a check names, worked out the plain way: every workload's count, the most first, then by name.
        Map<String, Long> all = new java.util.TreeMap<>();
        lines.forEach(d -> all.merge(d.workload(), 1L, Long::sum));
        List<Map.Entry<String, Long>> ranked = all.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .toList();
        int kept = dev.tailor.observe.admission.EnforcePreview.WORKLOADS_PER_CHECK;
        Map<String, Long> named = new java.util.TreeMap<>();
        ranked.subList(0, kept).forEach(e -> named.put(e.getKey(), e.getValue()));
        long leftOut = ranked.subList(kept, ranked.size()).stream()
                .mapToLong(Map.Entry::getValue)
                .sum();
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            store.ingestDecisions(lines);
            var counted = store.enforcePreviews(t, until, null, 0);
            var ci = counted.get("ci");
            assertEquals(
                    runs + 1,
                    ci.byCheck().get("runAsNonRoot").size()
                            + ci.otherWorkloads().get("runAsNonRoot").workloads());
            assertEquals(named, ci.byCheck().get("runAsNonRoot"));
            assertEquals(4L, named.get("pod.run-120"), "the most rejected is named, however late its name");
            assertEquals(
                    new dev.tailor.observe.admission.EnforcePreview.Others(ranked.size() - kept, leftOut),
                    ci.otherWorkloads().get("runAsNonRoot"));
            assertEquals(lines.size(), ci.wouldReject());
            assertEquals(10, ci.examples().size());
            assertEquals(
                    "web-7f9c-a (and 1 other pod) of deployment.web: runAsNonRoot",
                    ci.examples().get(0));
            assertEquals("run-000 of pod.run-000: runAsNonRoot", ci.examples().get(1));
            assertEquals("run-008 of pod.run-008: runAsNonRoot", ci.examples().get(9));
            assertEquals(dev.tailor.observe.admission.EnforcePreview.perNamespace(store, t, until), counted);
            assertEquals(store.enforcePreviews(t, until), counted);
            assertEquals(dev.tailor.observe.admission.EnforcePreview.perNamespace(lines), counted);
            // A tally given too little room for these lines: the database counts them instead.
            long tooLittle = 20_000;
            var tally = new dev.tailor.observe.admission.EnforcePreview.Tally(tooLittle);
            assertThrows(dev.tailor.observe.admission.EnforcePreview.Tally.Full.class, () -> {
                lines.forEach(tally::ownObject);
                lines.forEach(tally::add);
            });
            assertEquals(counted, store.enforcePreviews(t, until, null, tooLittle));
            // Beside a namespace the tally holds, each counted its own way: the same previews.
            store.ingestDecisions(List.of(new dev.tailor.contract.AdmissionDecision(
                    t.plusMillis(500),
                    "s1",
                    "shop",
                    "deployment.api",
                    "dev",
                    "CREATE",
                    "Deployment",
                    "api",
                    "audit",
                    "privileged",
                    "warned",
                    "privileged is not met")));
            var both = store.enforcePreviews(t, until, null, 0);
            assertEquals(java.util.Set.of("ci", "shop"), both.keySet());
            assertEquals(ci, both.get("ci"));
            assertEquals(1, both.get("shop").wouldReject());
            assertEquals(both, store.enforcePreviews(t, until, null, tooLittle));
            assertEquals(both, dev.tailor.observe.admission.EnforcePreview.perNamespace(store, t, until));
            String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(ci);
            assertTrue(json.contains("\"otherWorkloads\":{\"runAsNonRoot\":{\"workloads\":31,\"rejected\":31}}"), json);
            assertEquals(
                    ci,
                    new com.fasterxml.jackson.databind.ObjectMapper()
                            .readValue(json, dev.tailor.observe.admission.EnforcePreview.class));
        }
    }

    /**
     * The lines that name a check, read a page at a time, are the window's lines, each once, a namespace after another
     * and each in time order — across pages whose edges fall among lines of one instant, and one request's several
     * checks, and an instant of more lines than a page.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void decisionsReadAPageAtATimeAreTheWindowsInOrder(String kind) throws Exception {
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        List<dev.tailor.contract.AdmissionDecision> lines = new ArrayList<>();
        for (int i = 0; i < ObservationStore.DECISION_PAGE * 2 + 500; i++) {
            // Three requests an instant, each with two checks: pages end among equal times and one request's lines.
            Instant t = t0.plusMillis(i / 6);
            String uid = "u-" + (i / 2);
            lines.add(decision(t, uid, i % 2 == 0 ? "runAsNonRoot" : "hostPath", "warned"));
        }
        for (int i = 0; i < ObservationStore.DECISION_PAGE + 10; i++) {
            var d = decision(t0.plusMillis(100), "b-" + i, "hostPath", "warned");
            lines.add(new dev.tailor.contract.AdmissionDecision(
                    d.time(),
                    d.uid(),
                    "batch",
                    d.workload(),
                    d.user(),
                    d.operation(),
                    d.kind(),
                    d.name(),
                    d.mode(),
                    d.check(),
                    d.verdict(),
                    d.message()));
        }
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            store.ingestDecisions(lines);
            Instant until = t0.plus(java.time.Duration.ofHours(1));
            List<dev.tailor.contract.AdmissionDecision> all = store.decisions(t0, until);
            assertEquals(lines.size(), all.size());
            List<dev.tailor.contract.AdmissionDecision> paged = new ArrayList<>();
            store.forEachDecision(t0, until, paged::add);
            assertEquals(
                    all.stream()
                            .sorted(java.util.Comparator.comparing(dev.tailor.contract.AdmissionDecision::namespace)
                                    .thenComparing(ObservationStore.DECISION_ORDER))
                            .toList(),
                    paged);
            // The preview from the pages, read twice, is the preview from the list.
            assertEquals(
                    dev.tailor.observe.admission.EnforcePreview.perNamespace(all),
                    dev.tailor.observe.admission.EnforcePreview.perNamespace(store, t0, until));
            assertEquals(
                    dev.tailor.observe.admission.EnforcePreview.perNamespace(all), store.enforcePreviews(t0, until));
            assertEquals(
                    dev.tailor.observe.admission.EnforcePreview.perNamespace(all),
                    store.enforcePreviews(t0, until, null, 0));
            assertEquals(
                    (ObservationStore.DECISION_PAGE * 2 + 500) / 2,
                    store.enforcePreviews(t0, until).get("shop").requests());
            List<dev.tailor.contract.AdmissionDecision> late = new ArrayList<>();
            store.forEachDecision(t0.plusMillis(500), until, late::add);
            assertEquals(
                    paged.stream()
                            .filter(d -> !d.time().isBefore(t0.plusMillis(500)))
                            .toList(),
                    late);
        }
    }

    /**
     * A store filled before the allowed requests were counted (schema 14: a row each) has them moved into the counts
     * when opened, each UID marked as counted: the same lines read again count nothing.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void aStoreFilledBeforeHasItsAllowedRowsCountedOnce(String kind) throws Exception {
        String url = url(kind);
        Instant monday = Instant.parse("2026-11-30T10:00:00Z");
        List<dev.tailor.contract.AdmissionDecision> lines = List.of(
                decision(monday, "u-1", "", "allowed"),
                decision(monday.plusSeconds(1), "u-2", "", "allowed"),
                decision(monday.plusSeconds(2), "u-4", "runAsNonRoot", "warned"));
        StoreSchema.migrations(url).target("14").load().migrate();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO admission_decision (uid,"
                        + " check_id, decided_at, namespace, workload, username, operation, kind, name, mode, verdict,"
                        + " message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (var d : lines) {
                List<Object> values = List.of(
                        d.uid(),
                        d.check(),
                        java.sql.Timestamp.from(d.time()),
                        d.namespace(),
                        d.workload(),
                        d.user(),
                        d.operation(),
                        d.kind(),
                        d.name(),
                        d.mode(),
                        d.verdict(),
                        d.message());
                for (int i = 0; i < values.size(); i++) {
                    insert.setObject(i + 1, values.get(i));
                }
                insert.executeUpdate();
            }
        }
        try (ObservationStore store = ObservationStore.open(url)) {
            assertEquals(
                    List.of("u-4"),
                    store.decisions(Instant.EPOCH, FAR).stream()
                            .map(dev.tailor.contract.AdmissionDecision::uid)
                            .toList());
            assertEquals(
                    List.of(2L),
                    store.allowedRequests().values().stream()
                            .map(ObservationStore.StoredAccess::count)
                            .toList());
            assertEquals(new ObservationStore.BatchResult(0, 3), store.ingestDecisions(lines));
        }
    }

    /**
     * The released migrations, as Flyway checksums them (a Java migration has none): one edited after its release
     * would leave the stores made before with another schema than new ones, and Flyway is not asked to check an
     * up-to-date store ({@link ObservationStore#schemaCurrent}). A new migration goes at the end of this list.
     */
    private static final List<String> RELEASED_MIGRATIONS = List.of(
            "1 SQL -1926075560",
            "2 SQL -757460991",
            "3 SQL -550087858",
            "4 SQL -421122078",
            "5 SQL 1621785428",
            "6 SQL 1913612547",
            "7 JDBC null",
            "8 JDBC null",
            "9 JDBC null",
            "10 SQL -1001232333",
            "11 SQL 1539959681",
            "12 SQL -571620588",
            "13 SQL -2119779122",
            "14 SQL -772758610",
            "15 SQL -1292260178",
            "16 JDBC null");

    @org.junit.jupiter.api.Test
    void theMigrationsAreTheReleasedOnesAndTheStoreKnowsEachVersion() throws Exception {
        List<String> found = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        for (org.flywaydb.core.api.MigrationInfo m :
                StoreSchema.migrations(url("h2")).load().info().all()) {
            found.add(m.getVersion() + " " + m.getType() + " " + m.getChecksum());
            versions.add(m.getVersion().toString());
        }
        assertEquals(RELEASED_MIGRATIONS, found);
        assertEquals(versions, StoreSchema.SCHEMA_VERSIONS);
    }

    /** An H2 store reserves its aggregates' ids 1,000 at a time (else H2 commits the whole store every 32 inserts). */
    @org.junit.jupiter.api.Test
    void anEmbeddedStoreReservesIdsInThousands(@TempDir Path own) throws Exception {
        String url = ObservationStore.embeddedUrl(own);
        ObservationStore.open(url).close();
        Map<String, Long> caches = new java.util.TreeMap<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs =
                        s.executeQuery("SELECT table_name, identity_cache FROM information_schema.columns"
                                + " WHERE is_identity = 'YES'")) {
            while (rs.next()) {
                caches.put(rs.getString(1), rs.getLong(2));
            }
        }
        assertEquals(
                Map.of(
                        "api_access",
                        1000L,
                        "network_flow",
                        1000L,
                        "pod_identity",
                        1000L,
                        "syscall_use",
                        1000L,
                        "admission_allowed",
                        1000L),
                caches);
    }

    /**
     * Opening a new H2 store, and opening it again, runs no statement that fails: H2 writes each failed one to a
     * {@code .trace.db} file beside the store, which a user would take for an error. (Only an assertion of H2's own,
     * in its compaction on close, may write one when assertions are on, as in this suite.)
     */
    @org.junit.jupiter.api.Test
    void openingAStoreRunsNoStatementThatFails(@TempDir Path own) throws Exception {
        ObservationStore.open(ObservationStore.embeddedUrl(own)).close();
        ObservationStore.open(ObservationStore.embeddedUrl(own)).close();
        Path trace = own.resolve("observations.trace.db");
        String traced = java.nio.file.Files.exists(trace) ? java.nio.file.Files.readString(trace) : "";
        assertTrue(!traced.contains("SQL statement") && !traced.contains("flyway_schema_history"), traced);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void onlyAStoreWithEveryMigrationAppliedIsCurrent(String kind) throws Exception {
        String url = url(kind);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url)) {
            assertFalse(StoreSchema.schemaCurrent(c), "a new store");
            StoreSchema.migrations(url).target("6").load().migrate();
            assertFalse(StoreSchema.schemaCurrent(c), "a store a migration behind");
            ObservationStore.open(url).close(); // migrates it
            assertTrue(StoreSchema.schemaCurrent(c), "a store just migrated");
            try (java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE flyway_schema_history SET success = FALSE WHERE version = '16'");
                assertFalse(StoreSchema.schemaCurrent(c), "a store whose last migration failed");
                s.executeUpdate("UPDATE flyway_schema_history SET success = TRUE WHERE version = '16'");
                s.executeUpdate(
                        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                                + " installed_by, execution_time, success) VALUES (99, '17', 'newer', 'SQL', 'V17__newer.sql', 'x', 0, TRUE)");
                assertFalse(StoreSchema.schemaCurrent(c), "a store a newer Tailor migrated further");
                // …which this Tailor refuses to use, saying why (Flyway alone would ignore the "future" migration).
                ObservationStore.NewerStoreException newer =
                        assertThrows(ObservationStore.NewerStoreException.class, () -> ObservationStore.open(url));
                assertTrue(
                        newer.getMessage()
                                .startsWith("the store's schema is at version 17, newer than this Tailor's (16)"),
                        newer.getMessage());
                s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '17'");
                assertTrue(StoreSchema.schemaCurrent(c), "the same store without the newer migration");
            }
        }
        if (kind.equals("postgresql")) {
            // A search path that finds the current store's tables behind an empty schema: Flyway migrates the empty
            // one (the connection's current schema), so that one is what counts.
            String empty = url(kind);
            String path = url.replaceAll(".*currentSchema=", "");
            String both = empty + "," + path;
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(both)) {
                assertFalse(StoreSchema.schemaCurrent(c), "an empty schema first on the search path");
            }
        }
    }

    private static List<Flow> hubbleSamples() throws Exception {
        Path samples = RepositoryPaths.fixtures().resolve("third_party/hubble-flows/cilium-hubble-otel/testdata");
        List<Flow> flows = new ArrayList<>();
        try (Stream<Path> files = java.nio.file.Files.list(samples)) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                try (InputStream in = Inputs.open(file.toString())) {
                    new HubbleFlowReader().read(file.getFileName().toString(), in, flows::add, new Problems());
                }
            }
        }
        return flows;
    }

    @ParameterizedTest
    @MethodSource("stores")
    void flowsAreStoredAsEdgesBetweenWorkloadsOnce(String kind) throws Exception {
        List<Flow> flows = hubbleSamples();
        Map<NetworkEdge, Long> expected = new java.util.TreeMap<>();
        java.util.Set<List<Long>> keys = new java.util.HashSet<>();
        long aggregating = 0;
        for (Flow f : flows) {
            NetworkEdge edge = NetworkEdge.of(f, new dev.tailor.identity.Pods());
            if (edge != null) {
                aggregating++;
                assertNotEquals(List.of(0L, 0L), List.of(f.fingerprintHigh(), f.fingerprintLow()), f.toString());
                if (keys.add(List.of(f.fingerprintHigh(), f.fingerprintLow()))) {
                    expected.merge(edge, 1L, Long::sum);
                }
            } else {
                assertEquals(
                        List.of(0L, 0L),
                        List.of(f.fingerprintHigh(), f.fingerprintLow()),
                        "a reply or a flow without L4 gets no fingerprint: " + f);
            }
        }
        // Of the 1,916 samples, 631 are replies (left out); the small samples are cut from the big ones, so some
        // flows appear twice, byte for byte, and count once.
        assertEquals(1916 - 631, aggregating);
        assertTrue(keys.size() < aggregating, "the samples repeat some flows");
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            assertEquals(
                    new ObservationStore.BatchResult(keys.size(), aggregating - keys.size()),
                    TestStores.ingestFlows(store, flows));
            assertEquals(new ObservationStore.BatchResult(0, aggregating), TestStores.ingestFlows(store, flows));
            Map<NetworkEdge, ObservationStore.StoredAccess> stored = store.networkEdges();
            assertEquals(expected.keySet(), stored.keySet());
            expected.forEach((edge, n) -> assertEquals(n, stored.get(edge).count(), edge.toString()));
            NetworkEdge productpageToDetails = new NetworkEdge(
                    "bookinfo",
                    "deployment.productpage-v1",
                    "",
                    "bookinfo",
                    "deployment.details-v1",
                    "",
                    "",
                    "TCP",
                    9080,
                    false);
            assertTrue(stored.containsKey(productpageToDetails), stored.keySet().toString());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void syscallRecordsAreStoredPerContainerOrExecutableOnce(String kind) throws Exception {
        Path lines = RepositoryPaths.fixtures().resolve("third_party/seccomp/security-profiles-operator/audit-lines");
        List<SyscallRecord> records = new ArrayList<>();
        try (Stream<Path> files = java.nio.file.Files.list(lines)) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                try (InputStream in = Inputs.open(file.toString())) {
                    new SyscallLogReader().read(file.getFileName().toString(), in, records::add, new Problems());
                }
            }
        }
        try (ObservationStore store = ObservationStore.open(url(kind))) {
            assertEquals(new ObservationStore.BatchResult(6, 0), TestStores.ingestSyscalls(store, records));
            assertEquals(new ObservationStore.BatchResult(0, 6), TestStores.ingestSyscalls(store, records));
            Map<SyscallUse, ObservationStore.StoredAccess> uses = store.syscallUses();
            assertEquals(6, uses.size(), uses.keySet().toString());
            assertTrue(uses.containsKey(new SyscallUse("default", "pod.my-pod", "redis", "", "", "epoll_wait", "")));
            assertTrue(uses.containsKey(new SyscallUse("", "", "", "/bin/ls", "x86_64", "close", "log")));
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void passwordsNeverAppearInMessages(String kind) {
        assertEquals(
                "jdbc:postgresql://db:5432/tailor?user=tailor&password=***",
                ObservationStore.redact("jdbc:postgresql://db:5432/tailor?user=tailor&password=s3cret"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ObservationStore.open("jdbc:mysql://db/tailor?password=s3cret"));
        assertEquals(-1, e.getMessage().indexOf("s3cret"), e.getMessage());
    }

    /** H2's page cache follows the heap: the webhook's 77 MiB keeps a sixteenth, a command's H2's own 16 MiB. */
    @org.junit.jupiter.api.Test
    void theStoresPageCacheFollowsTheHeap() {
        assertEquals(4_928, ObservationStore.cacheKilobytes(77L << 20)); // the webhook's heap
        assertEquals(16_384, ObservationStore.cacheKilobytes(512L << 20));
        assertEquals(16_384, ObservationStore.cacheKilobytes(6L << 30));
        assertEquals(1_024, ObservationStore.cacheKilobytes(8L << 20));
    }

    @org.junit.jupiter.api.Test
    void aPlainH2UrlGetsTheSettingsTheStoreNeeds() throws Exception {
        // As a user writes it: no MODE=PostgreSQL, whose SQL the store speaks (ON CONFLICT).
        String plain = "jdbc:h2:file:"
                + dir.resolve("plain-" + java.util.UUID.randomUUID()).resolve("observations");
        assertEquals(
                plain
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;PAGE_SIZE=16384",
                ObservationStore.withH2Settings(plain));
        assertEquals(
                plain
                        + ";mode=postgresql;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;PAGE_SIZE=16384",
                ObservationStore.withH2Settings(plain + ";mode=postgresql"));
        // A page size of the user's own is kept (the store's is only a preference).
        assertEquals(
                plain
                        + ";page_size=4096;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0",
                ObservationStore.withH2Settings(plain + ";page_size=4096"));
        try (ObservationStore store = ObservationStore.open(plain)) {
            assertEquals(new ObservationStore.BatchResult(37, 0), TestStores.ingestAudit(store, demo()));
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ObservationStore.open(plain + ";WRITE_DELAY=500"));
        assertTrue(
                e.getMessage().startsWith("the store needs WRITE_DELAY=0 in an H2 URL, got WRITE_DELAY=500"),
                e.getMessage());
    }

    /**
     * The webhook writes the admission stream a commit a second. Without compaction an embedded store written so
     * grows by several times what it holds (H2's maintenance thread does not run with the {@code WRITE_DELAY=0} the
     * store needs); compacted every ten commits, it stays within one and a half times its data. H2 keeps a chunk it may not reuse for
     * 45 s ({@code RETENTION_TIME}), set to none here so that a test need not wait.
     */
    @org.junit.jupiter.api.Test
    void anEmbeddedStoreWrittenInSmallCommitsStaysNearItsDataWhenCompacted(@TempDir Path own) throws Exception {
        Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
        Map<Boolean, ObservationStore.DiskUse> use = new java.util.TreeMap<>();
        for (boolean compacted : new boolean[] {false, true}) {
            String url =
                    ObservationStore.embeddedUrl(own.resolve(compacted ? "compacted" : "plain")) + ";RETENTION_TIME=0";
            try (ObservationStore store = ObservationStore.open(url)) {
                for (int commit = 0, k = 0; commit < 600; commit++) {
                    List<dev.tailor.contract.AdmissionDecision> batch = new ArrayList<>();
                    for (int i = 0; i < 50; i++, k++) {
                        batch.add(new dev.tailor.contract.AdmissionDecision(
                                t0.plusMillis(k * 20L),
                                "uid-" + k,
                                "shop",
                                "deployment.api",
                                "system:serviceaccount:kube-system:replicaset-controller",
                                "CREATE",
                                "Pod",
                                "api-7d4b9c-" + k,
                                "audit",
                                "runAsNonRoot",
                                "warned",
                                "runAsNonRoot: the container may run as root"));
                    }
                    store.ingestDecisions(batch);
                    if (compacted && commit % 10 == 9) {
                        store.compact();
                    }
                }
                use.put(compacted, store.diskUse().orElseThrow());
            }
        }
        System.out.println("30,000 decisions in 600 commits, file and live bytes: " + use);
        ObservationStore.DiskUse plain = use.get(false);
        ObservationStore.DiskUse compacted = use.get(true);
        // Measured: 16.8 MB for 5.7 MB of data uncompacted, 8.5 MB for 8.1 compacted.
        assertTrue(plain.fileBytes() > 2 * plain.liveBytes(), "uncompacted, the file runs ahead: " + plain);
        assertTrue(compacted.fileBytes() * 2 < 3 * compacted.liveBytes(), "compacted: " + compacted);
        assertTrue(compacted.fileBytes() * 8 < plain.fileBytes() * 5, use.toString());
    }
}
