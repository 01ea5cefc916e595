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
}
