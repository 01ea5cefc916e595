package dev.tailor.observe.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Workload;
import dev.tailor.observe.Problems;
import dev.tailor.observe.UnknownFormatException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionStreamReaderTest {

    private final List<PodRecord> pods = new ArrayList<>();
    private final List<AdmissionDecision> decisions = new ArrayList<>();
    private final Problems problems = new Problems();

    private AdmissionStreamReader.Stats read(String text) throws Exception {
        InputStream in = new BufferedInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        AdmissionStreamReader.checkFormat("stream", in);
        return new AdmissionStreamReader().read("stream", in, pods::add, decisions::add, problems);
    }

    @Test
    void reviewsPodsListsAndDecisionLines() throws Exception {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},\
                "namespace":"shop","name":"api-7d4b9c8f5-x2x9z","operation":"CREATE","object":{"metadata":{"creationTimestamp":"2026-11-16T10:00:00Z",\
                "labels":{"app":"api","pod-template-hash":"7d4b9c8f5"},"ownerReferences":[{"kind":"ReplicaSet","name":"api-7d4b9c8f5","controller":true}]},\
                "spec":{"serviceAccountName":"api"}}}}""";
        String list = """
                {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"db-0","namespace":"shop",\
                "resourceVersion":"42","creationTimestamp":"2026-11-10T00:00:00Z","labels":{"app":"db","statefulset.kubernetes.io/pod-name":"db-0"},\
                "ownerReferences":[{"kind":"StatefulSet","name":"db","controller":true}]},"spec":{}}]}""";
        String decision = """
                {"time":"2026-11-16T10:00:00Z","uid":"u-1","namespace":"shop","workload":"deployment.api","user":"alice","operation":"CREATE",\
                "kind":"Pod","name":"api-7d4b9c8f5-x2x9z","mode":"audit","check":"privileged","verdict":"warned","message":"privileged"}""";
        String notAPod = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-2","kind":{"group":"apps","version":"v1","kind":"Deployment"}}}""";
        String undated = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","namespace":"shop"}}""";
        AdmissionStreamReader.Stats stats =
                read(String.join("\n", review, list, decision, notAPod, undated, "{not json"));

        assertEquals(2, stats.pods());
        assertEquals(new Workload("shop", "Deployment", "api"), pods.get(0).workload());
        assertEquals("api", pods.get(0).serviceAccount());
        assertEquals(Map.of("app", "api"), pods.get(0).labels(), "per-instance labels are not kept");
        assertEquals(new Workload("shop", "StatefulSet", "db"), pods.get(1).workload());
        assertEquals("default", pods.get(1).serviceAccount(), "what the ServiceAccount admission plugin fills in");
        assertEquals("shop/db-0@42", pods.get(1).key());
        assertEquals(1, decisions.size());
        assertEquals("u-1/privileged", decisions.get(0).key());
        assertEquals(Map.of("admission requests that are not about a pod", 1L), stats.skipped());
        assertEquals(2, problems.total());
        assertEquals(
                "stream:5: bad object: the sighting cannot be dated: no metadata.creationTimestamp, no managedFields "
                        + "time, and no earlier entry of the stream with a time",
                problems.first().get(0).toString());
        assertEquals(6, problems.first().get(1).line());
    }

    /**
     * A pod naming a Deployment's ReplicaSet as its controller is the Deployment's when the API server says Kubernetes'
     * controller manager created it — as the ReplicaSet controller's account or as itself — and its own workload when
     * anyone else did, a namespace's CI account, another controller; an update is no creation and is not asked (the
     * pod's creation decided: {@code Pods}). An operator's owner (a Volcano Job) is believed: its account is the
     * operator's, which Tailor does not know. A bare pod the CI account created is refused too: no owner a controller
     * adopting it later names is believed.
     */
    @Test
    void aPodClaimingAControllersOwnerIsItsOwnWorkloadUnlessTheControllerCreatedIt() throws Exception {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"UID","kind":{"group":"","version":"v1","kind":"Pod"},\
                "resource":{"group":"","version":"v1","resource":"pods"},"namespace":"shop","name":"NAME","operation":"OP",\
                "userInfo":{"username":"USER","groups":["system:authenticated"]},"object":{"metadata":{"name":"NAME","namespace":"shop",\
                "creationTimestamp":"2026-11-16T10:00:00Z","labels":{"app":"api","pod-template-hash":"7d4b9c8f5"},\
                "ownerReferences":[{"apiVersion":"GROUP","kind":"KIND","name":"OWNER","uid":"5b0c2f6e-8a1d-4c3b-9e7f-2d4a6b8c0e1f",\
                "controller":true,"blockOwnerDeletion":true}]},"spec":{"serviceAccountName":"api","containers":[{"name":"server","image":"api"}]}}}}""";
        String[][] cases = {
            {
                "c-1",
                "api-7d4b9c8f5-x2x9z",
                "CREATE",
                "system:serviceaccount:kube-system:replicaset-controller",
                "apps/v1"
            },
            {"c-2", "api-7d4b9c8f5-q8r2m", "CREATE", "system:kube-controller-manager", "apps/v1"},
            {"c-3", "api-7d4b9c8f5-zz4kd", "CREATE", "system:serviceaccount:shop:ci-runner", "apps/v1"},
            {"c-4", "api-7d4b9c8f5-zz4kd", "UPDATE", "system:serviceaccount:shop:ci-runner", "apps/v1"},
            {
                "c-5",
                "api-7d4b9c8f5-bb7nx",
                "CREATE",
                "system:serviceaccount:kube-system:statefulset-controller",
                "apps/v1"
            },
            {
                "c-6",
                "train-worker-0",
                "CREATE",
                "system:serviceaccount:volcano-system:volcano-controllers",
                "batch.volcano.sh/v1alpha1"
            }
        };
        List<String> lines = new ArrayList<>();
        for (String[] c : cases) {
            boolean volcano = c[4].startsWith("batch.volcano");
            lines.add(review.replace("UID", c[0])
                    .replace("NAME", c[1])
                    .replace("OP", c[2])
                    .replace("USER", c[3])
                    .replace("GROUP", c[4])
                    .replace("KIND", volcano ? "Job" : "ReplicaSet")
                    .replace("OWNER", volcano ? "train" : "api-7d4b9c8f5"));
        }
        // A bare pod the same account created: its own, and none of the controllers' (a ReplicaSet adopting it later).
        lines.add(lines.get(2)
                .replace("c-3", "c-7")
                .replace("api-7d4b9c8f5-zz4kd", "api-7d4b9c8f5-ww5pt")
                .replaceAll(",\"ownerReferences\":\\[[^\\]]*\\]", ""));
        read(String.join("\n", lines));

        assertEquals(7, pods.size());
        assertEquals(
                new Workload("shop", "Pod", "api-7d4b9c8f5-ww5pt"), pods.get(6).workload());
        assertTrue(pods.get(6).ownerRefused(), "a bare pod the controller manager did not create");
        Workload deployment = new Workload("shop", "Deployment", "api");
        assertEquals(deployment, pods.get(0).workload(), "the ReplicaSet controller's pod");
        assertEquals(deployment, pods.get(1).workload(), "the controller manager's own account");
        assertEquals(
                new Workload("shop", "Pod", "api-7d4b9c8f5-zz4kd"), pods.get(2).workload(), "the CI account's");
        assertTrue(pods.get(2).ownerRefused() && pods.get(2).created());
        assertEquals(deployment, pods.get(3).workload(), "an update names the owner; the creation decided (Pods)");
        assertEquals(
                new Workload("shop", "Pod", "api-7d4b9c8f5-bb7nx"), pods.get(4).workload(), "another controller");
        assertEquals(new Workload("shop", "Job", "train"), pods.get(5).workload(), "an operator's owner");
        for (int i : new int[] {0, 1, 3, 5}) {
            assertTrue(!pods.get(i).ownerRefused(), cases[i][0]);
        }
        assertEquals(0, problems.total());
    }

    /**
     * Reviews a mutating webhook captured: the API server sets creationTimestamp only after mutating admission, so the
     * pod has none. Its managedFields' time dates it; with none, the stream's latest time so far. Owner, labels and
     * account are kept, and a CREATE still counts as the pod's creation.
     */
    @Test
    void aReviewWithoutCreationTimestampIsDatedByTheWriteNotRefused() throws Exception {
        String captured = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"m-1","kind":{"group":"","version":"v1","kind":"Pod"},                "namespace":"shop","operation":"CREATE","object":{"metadata":{"generateName":"web-5f7d9c-",                "labels":{"app":"web","pod-template-hash":"5f7d9c"},"ownerReferences":[{"kind":"ReplicaSet","name":"web-5f7d9c","controller":true}],                "managedFields":[{"manager":"kube-controller-manager","operation":"Update","time":"2026-11-17T08:30:00Z"}]},                "spec":{"serviceAccountName":"web"}}}}""";
        String bare = captured.replace("m-1", "m-2").replaceAll(",\\s*\"managedFields\":\\[[^\\]]*\\]", "");
        String first = bare.replace("m-2", "m-0");
        read(String.join("\n", first, captured, bare));
        assertEquals(1, problems.total(), "only the first, which nothing dates, is refused");
        assertEquals(2, pods.size());
        assertEquals(
                java.time.Instant.parse("2026-11-17T08:30:00Z"), pods.get(0).time());
        assertEquals(
                java.time.Instant.parse("2026-11-17T08:30:00Z"), pods.get(1).time(), "the stream's latest time");
        for (PodRecord p : pods) {
            assertEquals(new Workload("shop", "Deployment", "web"), p.workload());
            assertEquals("web", p.serviceAccount());
            assertEquals(Map.of("app", "web"), p.labels());
            org.junit.jupiter.api.Assertions.assertTrue(p.created(), "a CREATE is the pod's creation");
        }
    }

    @Test
    void aFileOfSomethingElseIsNamedBeforeItIsRead() {
        UnknownFormatException e = assertThrows(
                UnknownFormatException.class, () -> read("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"}\n"));
        assertTrue(e.getMessage().startsWith("stream: not an admission stream"), e.getMessage());
    }

    /**
     * {@code kubectl get pods -A -o json | jq -c .} on a cluster of more than a thousand pods is one line longer than
     * a line the reader holds (4 MiB): it is read as it streams, a pod at a time, whether {@code kind} comes before
     * {@code items} or after them (as kubectl writes it), and the lines after it are read as before.
     */
    @Test
    void aListLongerThanALineIsReadPodByPod() throws Exception {
        int n = 1800;
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < n; i++) {
            items.append(i == 0 ? "" : ",").append(listedPod(i));
        }
        String kubectlOrder = "{\"apiVersion\":\"v1\",\"items\":[" + items + "],\"kind\":\"List\","
                + "\"metadata\":{\"resourceVersion\":\"\"}}";
        String kindFirst = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" + items + "]}";
        assertTrue(kubectlOrder.length() > 4 * 1024 * 1024, "longer than a line: " + kubectlOrder.length());
        String after = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"late","namespace":"shop","creationTimestamp":"2026-11-12T00:00:00Z"}}""";
        for (String list : List.of(kubectlOrder, kindFirst)) {
            pods.clear();
            AdmissionStreamReader.Stats stats = read(list + "\n" + after + "\n");
            assertEquals(0, problems.total(), () -> problems.first().toString());
            assertEquals(n + 1, stats.pods());
            assertEquals(2, stats.lines());
            assertEquals(
                    new Workload("tenant-7", "Deployment", "svc-7"), pods.get(7).workload());
            assertEquals("svc-7", pods.get(7).serviceAccount());
            assertEquals(
                    "tenant-1799/svc-1799-6d5f8b7c9-abcde@1799", pods.get(n - 1).key());
            assertEquals("late", pods.get(n).pod());
        }
    }

    /**
     * A long line that is no List, a List with a pod longer than a line, a List cut by bad JSON, a List with an item
     * that is no object: each a problem at its line, the pods before the fault kept, and the lines after it read.
     */
    @Test
    void aLongLineThatIsNoListOrBreaksCostsOnlyItself() throws Exception {
        String padding = "x".repeat(5 * 1024 * 1024);
        String after = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"late","namespace":"shop","creationTimestamp":"2026-11-12T00:00:00Z"}}""";
        String notAList = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"big\":\"" + padding + "\"}}";
        String hugePod = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" + listedPod(1) + ","
                + listedPod(2).replace("\"labels\":{", "\"labels\":{\"big\":\"" + padding + "\",") + ","
                + listedPod(3) + "]}";
        StringBuilder cut = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
        for (int i = 0; i < 1800; i++) {
            cut.append(i == 0 ? "" : ",").append(listedPod(i));
        }
        cut.append(",{\"kind\":\"Pod\",\"metadata\":{\"name\": oops}}");
        String first = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"first","namespace":"shop","creationTimestamp":"2026-11-12T00:00:00Z"}}""";
        String numbered =
                cut.toString().replace(",{\"kind\":\"Pod\",\"metadata\":{\"name\": oops}}", ",42," + listedPod(9))
                        + "]}";
        read(String.join("\n", first, notAList, after, hugePod, after, cut.toString(), after, numbered, after));
        List<String> found = problems.first().stream().map(Object::toString).toList();
        assertEquals(4, problems.total(), found.toString());
        assertTrue(found.get(3).startsWith("stream:8: an item of the List is no object"), found.get(3));
        assertTrue(
                found.get(0).startsWith("stream:2: line longer than 4194304 characters, and not a List"), found.get(0));
        assertTrue(found.get(1).startsWith("stream:4: an item of the List longer than"), found.get(1));
        assertTrue(found.get(2).startsWith("stream:6: not JSON"), found.get(2));
        assertEquals(
                List.of("first", "late", "svc-1-6d5f8b7c9-abcde", "late"),
                pods.subList(0, 4).stream().map(PodRecord::pod).toList());
        assertEquals(
                4 + 1800 + 1 + 1800 + 1,
                pods.size(),
                "each broken list's 1,800 pods before its fault, and the line after each");
        assertEquals("late", pods.get(pods.size() - 1).pod());
    }

    /** A pod as {@code kubectl get pods -o json} lists it, about 3.5 KB: owner, account, labels, spec and status. */
    private static String listedPod(int i) {
        String name = "svc-" + i + "-6d5f8b7c9-abcde";
        return ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"creationTimestamp\":\"2026-11-10T00:00:00Z\","
                        + "\"generateName\":\"svc-%1$d-6d5f8b7c9-\",\"labels\":{\"app\":\"svc-%1$d\",\"pod-template-hash\":"
                        + "\"6d5f8b7c9\"},\"name\":\"%2$s\",\"namespace\":\"tenant-%1$d\",\"ownerReferences\":[{\"apiVersion\":"
                        + "\"apps/v1\",\"blockOwnerDeletion\":true,\"controller\":true,\"kind\":\"ReplicaSet\",\"name\":"
                        + "\"svc-%1$d-6d5f8b7c9\",\"uid\":\"5b0e6f2a-8c1d-4e3f-9a7b-2c4d6e8f0a1b\"}],\"resourceVersion\":\"%1$d\","
                        + "\"uid\":\"7c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f\"},\"spec\":{\"containers\":[{\"env\":[{\"name\":"
                        + "\"LOG_LEVEL\",\"value\":\"info\"},{\"name\":\"PORT\",\"value\":\"8080\"}],\"image\":"
                        + "\"registry.example.com/tenant/svc-%1$d:1.4.2\",\"imagePullPolicy\":\"IfNotPresent\",\"name\":\"app\","
                        + "\"ports\":[{\"containerPort\":8080,\"name\":\"http\",\"protocol\":\"TCP\"}],\"resources\":"
                        + "{\"limits\":{\"memory\":\"256Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"}},"
                        + "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]},"
                        + "\"readOnlyRootFilesystem\":true,\"runAsNonRoot\":true},\"terminationMessagePath\":"
                        + "\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\",\"volumeMounts\":[{\"mountPath\":"
                        + "\"/var/run/secrets/kubernetes.io/serviceaccount\",\"name\":\"kube-api-access-x7k2p\",\"readOnly\":true}]}],"
                        + "\"dnsPolicy\":\"ClusterFirst\",\"enableServiceLinks\":true,\"nodeName\":\"node-%3$d\","
                        + "\"preemptionPolicy\":\"PreemptLowerPriority\",\"priority\":0,\"restartPolicy\":\"Always\","
                        + "\"schedulerName\":\"default-scheduler\",\"securityContext\":{\"seccompProfile\":{\"type\":"
                        + "\"RuntimeDefault\"}},\"serviceAccount\":\"svc-%1$d\",\"serviceAccountName\":\"svc-%1$d\","
                        + "\"terminationGracePeriodSeconds\":30,\"tolerations\":[{\"effect\":\"NoExecute\",\"key\":"
                        + "\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"tolerationSeconds\":300},{\"effect\":"
                        + "\"NoExecute\",\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
                        + "\"tolerationSeconds\":300}],\"volumes\":[{\"name\":\"kube-api-access-x7k2p\",\"projected\":"
                        + "{\"defaultMode\":420,\"sources\":[{\"serviceAccountToken\":{\"expirationSeconds\":3607,\"path\":"
                        + "\"token\"}},{\"configMap\":{\"items\":[{\"key\":\"ca.crt\",\"path\":\"ca.crt\"}],\"name\":"
                        + "\"kube-root-ca.crt\"}}]}}]},\"status\":{\"conditions\":[{\"lastProbeTime\":null,"
                        + "\"lastTransitionTime\":\"2026-11-10T00:00:02Z\",\"status\":\"True\",\"type\":\"Ready\"}],"
                        + "\"containerStatuses\":[{\"containerID\":\"containerd://0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978"
                        + "8796a5b4c3d2e1f0\",\"image\":\"registry.example.com/tenant/svc-%1$d:1.4.2\",\"imageID\":"
                        + "\"registry.example.com/tenant/svc-%1$d@sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170"
                        + "6f5e4d3c2b1a0\",\"lastState\":{},\"name\":\"app\",\"ready\":true,\"restartCount\":0,\"started\":true,"
                        + "\"state\":{\"running\":{\"startedAt\":\"2026-11-10T00:00:01Z\"}}}],\"hostIP\":\"10.0.%3$d.1\","
                        + "\"phase\":\"Running\",\"podIP\":\"10.244.%3$d.%4$d\",\"qosClass\":\"Burstable\",\"startTime\":"
                        + "\"2026-11-10T00:00:00Z\"}}")
                .formatted(i, name, i % 50, i % 250);
    }
}
