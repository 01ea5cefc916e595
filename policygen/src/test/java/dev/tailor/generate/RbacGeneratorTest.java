package dev.tailor.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Workload;
import dev.tailor.kube.KubeObjects;
import dev.tailor.observe.audit.ApiRequest;
import dev.tailor.rbac.PolicyRule;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.TestStores;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RBAC rules of one service account, case by case: each named rule of the generator, on requests made up for it. */
class RbacGeneratorTest {

    private static final Instant START = Instant.parse("2026-11-16T00:00:00Z");
    private static final String USER = "system:serviceaccount:ops:operator";

    @TempDir
    Path dir;

    private int ids;

    /** The same request once a day for a week, so the workload is fully learned. */
    private List<ApiRequest> daily(
            String verb,
            String group,
            String resource,
            String subresource,
            String namespace,
            String name,
            String url,
            int code) {
        List<ApiRequest> out = new ArrayList<>();
        for (int day = 0; day < 7; day++) {
            out.add(new ApiRequest(
                    "id-" + ids++,
                    START.plus(Duration.ofDays(day)),
                    USER,
                    List.of(),
                    "",
                    verb,
                    group,
                    "v1",
                    resource,
                    subresource,
                    namespace,
                    name,
                    url,
                    code));
        }
        return out;
    }

    private Map<String, String> generate(List<ApiRequest> requests, int clusterRoleAtNamespaces, List<PolicyRule> kept)
            throws Exception {
        return generate(requests, clusterRoleAtNamespaces, kept, null);
    }

    private Map<String, String> generate(
            List<ApiRequest> requests,
            int clusterRoleAtNamespaces,
            List<PolicyRule> kept,
            dev.tailor.rbac.RbacAuthorizer current)
            throws Exception {
        try (ObservationStore store = ObservationStore.open(ObservationStore.embeddedUrl(dir.resolve("s" + ids)))) {
            // The operator's pod started when observation began (its start-up was seen).
            store.ingestPods(List.of(new PodRecord(
                    "uid-1",
                    START,
                    "ops",
                    "operator-7d4b9c8f5-x2x9z",
                    new Workload("ops", "Deployment", "operator"),
                    "operator",
                    Map.of("app", "operator"),
                    true)));
            TestStores.ingestAudit(store, requests);
            return new PolicyGenerator(PolicyGenerator.Options.builder()
                            .maxResourceNames(2)
                            .clusterRoleAtNamespaces(clusterRoleAtNamespaces)
                            .keptRules(kept)
                            .currentRbac(current)
                            .build())
                    .generate(Observations.load(store, Duration.ofDays(7), null))
                    .files();
        }
    }

    private static List<JsonNode> docs(Map<String, String> files) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = new YAMLMapper()
                .readerFor(JsonNode.class)
                .<JsonNode>readValues(files.get("ops/serviceaccount.operator/rbac.yaml"))) {
            it.forEachRemaining(docs::add);
        }
        return docs;
    }

    private static JsonNode role(List<JsonNode> docs, String kind, String namespace) {
        return docs.stream()
                .filter(d -> d.path("kind").asText().equals(kind)
                        && d.path("metadata").path("namespace").asText("").equals(namespace))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void verbsPairsSubresourcesNamesAndScopes() throws Exception {
        List<ApiRequest> r = new ArrayList<>();
        r.addAll(daily("watch", "", "pods", "", "ops", "", "", 200)); // an informer: watch brings list
        r.addAll(daily("get", "", "pods", "log", "ops", "web-1", "", 200)); // subresource, one name
        for (String name : List.of("a", "b", "c")) { // 3 names > K=2: no names
            r.addAll(daily("get", "", "configmaps", "", "ops", name, "", 200));
        }
        r.addAll(daily("get", "", "secrets", "", "ops", "token", "", 200)); // 1 name: named
        r.addAll(daily("list", "apps", "deployments", "", "", "", "", 200)); // all namespaces: ClusterRole
        r.addAll(daily("get", "", "", "", "", "", "/metrics", 200)); // non-resource URL
        r.addAll(daily("get", "", "", "", "", "", "/apis", 200)); // discovery: everyone has it
        r.addAll(daily("delete", "", "pods", "", "ops", "x", "", 403)); // denied: never granted
        List<JsonNode> docs = docs(generate(r, 0, List.of()));

        JsonNode rules = role(docs, "Role", "ops").path("rules");
        assertEquals(
                "[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"verbs\":[\"get\"]},"
                        + "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"list\",\"watch\"]},"
                        + "{\"apiGroups\":[\"\"],\"resources\":[\"pods/log\"],\"resourceNames\":[\"web-1\"],\"verbs\":[\"get\"]},"
                        + "{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"resourceNames\":[\"token\"],\"verbs\":[\"get\"]}]",
                rules.toString());
        JsonNode cluster = role(docs, "ClusterRole", "").path("rules");
        assertEquals(
                "[{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\"],\"verbs\":[\"list\"]},"
                        + "{\"nonResourceURLs\":[\"/metrics\"],\"verbs\":[\"get\"]}]",
                cluster.toString());
        assertFalse(docs.toString().contains("delete"));
        assertEquals(
                "ServiceAccount",
                role(docs, "ClusterRoleBinding", "")
                        .path("subjects")
                        .get(0)
                        .path("kind")
                        .asText());
    }

    /**
     * An informer on one ConfigMap (a field selector {@code metadata.name=leader}): the API server audits its list and
     * watch with the name and authorizes them against {@code resourceNames}, so the Role names it — a namespace-wide
     * list and watch of every ConfigMap would be far more than was used. The grant is checked by RBAC's own rules.
     */
    @Test
    void aWatchOfOneNameKeepsTheName() throws Exception {
        List<ApiRequest> r = new ArrayList<>();
        r.addAll(daily("list", "", "configmaps", "", "ops", "leader", "", 200));
        r.addAll(daily("watch", "", "configmaps", "", "ops", "leader", "", 200));
        r.addAll(daily("watch", "", "pods", "", "ops", "", "", 200)); // unnamed: list and watch of all pods
        JsonNode role = role(docs(generate(r, 0, List.of())), "Role", "ops");
        assertEquals(
                "[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"resourceNames\":[\"leader\"],\"verbs\":[\"list\",\"watch\"]},"
                        + "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"list\",\"watch\"]}]",
                role.path("rules").toString());
        List<PolicyRule> granted =
                PolicyRule.of(KubeObjects.typed(role, Role.class).getRules());
        assertTrue(granted.stream().anyMatch(g -> g.allows("watch", "", "configmaps", "", "leader")));
        assertFalse(granted.stream().anyMatch(g -> g.allows("list", "", "configmaps", "", "")), "not every ConfigMap");
    }

    @Test
    void sameVerbsInOneGroupShareARuleAndWideningIsAnOption() throws Exception {
        List<ApiRequest> r = new ArrayList<>();
        for (String ns : List.of("a", "b", "c")) {
            r.addAll(daily("list", "", "services", "", ns, "", "", 200));
            r.addAll(daily("list", "", "endpoints", "", ns, "", "", 200));
        }
        List<JsonNode> narrow = docs(generate(r, 0, List.of()));
        assertEquals(
                "[{\"apiGroups\":[\"\"],\"resources\":[\"endpoints\",\"services\"],\"verbs\":[\"list\"]}]",
                role(narrow, "Role", "b").path("rules").toString());
        assertEquals(6, narrow.size(), "a Role and RoleBinding per namespace used");
        List<JsonNode> wide = docs(generate(r, 3, List.of()));
        assertEquals(
                List.of("ClusterRole", "ClusterRoleBinding"),
                wide.stream().map(d -> d.path("kind").asText()).toList());
    }

    @Test
    void whatAKeptRoleAllowsIsNotGrantedAgain() throws Exception {
        List<ApiRequest> r = new ArrayList<>(daily("get", "", "configmaps", "", "ops", "settings", "", 200));
        r.addAll(daily("list", "", "pods", "", "ops", "", "", 200));
        PolicyRule kept =
                new PolicyRule(List.of("get", "list"), List.of(""), List.of("configmaps"), List.of(), List.of());
        List<JsonNode> docs = docs(generate(r, 0, List.of(kept)));
        assertEquals(
                "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"list\"]}]",
                role(docs, "Role", "ops").path("rules").toString());
        assertTrue(PolicyRule.of(KubeObjects.typed(
                                new YAMLMapper()
                                        .readTree(
                                                "{kind: Role, rules: [{verbs: ['*'], apiGroups: ['*'], resources: ['*/scale']}]}"),
                                Role.class)
                        .getRules())
                .get(0)
                .allows("update", "apps", "deployments", "scale", "web"));
    }

    @Test
    void theReportSaysWhatIsGrantedNowAgainstWhatWasUsed() throws Exception {
        dev.tailor.rbac.RbacAuthorizer current = new dev.tailor.rbac.RbacAuthorizer();
        dev.tailor.rbac.Bootstrap.clusterRoles().forEach(current::add);
        current.add(
                KubeObjects.typed(
                        new YAMLMapper()
                                .readTree(
                                        "{kind: RoleBinding, metadata: {name: operator-edit, namespace: ops},"
                                                + " roleRef: {kind: ClusterRole, name: edit}, subjects: [{kind: ServiceAccount, name: operator, namespace: ops}]}")));
        String report = generate(daily("get", "", "configmaps", "", "ops", "settings", "", 200), 0, List.of(), current)
                .get("REPORT.md");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "granted now: (\\d+) resources in (\\d+) API groups through ClusterRole/edit in ops; used: 1 resources in 1 API groups")
                .matcher(report);
        assertTrue(m.find(), report);
        assertTrue(Integer.parseInt(m.group(1)) > 30 && Integer.parseInt(m.group(2)) > 5, m.group());
    }
}
