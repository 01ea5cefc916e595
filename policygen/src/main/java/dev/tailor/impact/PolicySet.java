package dev.tailor.impact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.kube.Documents;
import dev.tailor.kube.LabelSelector;
import dev.tailor.rbac.RbacAuthorizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A set of policies as the evaluators need them: RBAC objects, NetworkPolicies, namespaces' labels and seccomp
 * profiles by {@code namespace/kind.name/container}. Read from a tree of YAML and JSON files — what
 * {@code tailor generate} writes, or a dump of the cluster ({@code kubectl get … -A -o yaml}).
 */
public final class PolicySet {

    final List<JsonNode> rbacObjects = new ArrayList<>();
    final List<JsonNode> networkPolicies = new ArrayList<>();
    final Map<String, Map<String, String>> namespaceLabels = new TreeMap<>();
    /** {@code namespace/kind.name/container} → OCI profile. */
    final Map<String, JsonNode> seccomp = new TreeMap<>();

    public static PolicySet empty() {
        return new PolicySet();
    }

    /** Every file under {@code root} (a directory or one file). */
    public static PolicySet read(Path root) throws IOException {
        PolicySet set = new PolicySet();
        List<Path> files;
        if (Files.isDirectory(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile)
                        .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
                        .sorted()
                        .toList();
            }
        } else {
            files = List.of(root);
        }
        for (Path f : files) {
            String rel = Files.isDirectory(root)
                    ? root.relativize(f).toString().replace('\\', '/')
                    : f.getFileName().toString();
            for (JsonNode d : Documents.read(f)) {
                set.add(d, rel);
            }
        }
        return set;
    }

    /** Policies given as objects (from the Kubernetes API). */
    public static PolicySet of(List<JsonNode> objects) {
        PolicySet set = new PolicySet();
        objects.forEach(o -> set.add(o, ""));
        return set;
    }

    /** Adds policies read from generated text (file path → content), as {@code tailor generate} returns them. */
    public static PolicySet of(Map<String, String> files) throws IOException {
        PolicySet set = new PolicySet();
        for (var e : files.entrySet()) {
            if (!e.getKey().matches(".*\\.(ya?ml|json)$")) {
                continue;
            }
            ObjectMapper mapper = e.getKey().endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
            try (var it = mapper.readerFor(JsonNode.class).<JsonNode>readValues(e.getValue())) {
                while (it.hasNext()) {
                    set.add(it.next(), e.getKey());
                }
            }
        }
        return set;
    }

    private void add(JsonNode d, String path) {
        String kind = d.path("kind").asText("");
        if (kind.endsWith("List") && d.path("items").isArray()) {
            d.path("items").forEach(i -> add(i, path));
            return;
        }
        switch (kind) {
            case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding" -> rbacObjects.add(d);
            case "NetworkPolicy" -> networkPolicies.add(d);
            case "Namespace" ->
                namespaceLabels.put(d.path("metadata").path("name").asText(), LabelSelector.labels(d));
            case "SeccompProfile" -> {} // the same profile as the OCI JSON beside it
            default -> {
                // An OCI profile at <ns>/<kind.name>/seccomp-<container>.json.
                if (d.has("defaultAction") && path.matches("[^/]+/[^/]+/seccomp-[^/]+\\.json")) {
                    String[] parts = path.split("/");
                    String container = parts[2].substring("seccomp-".length(), parts[2].length() - ".json".length());
                    seccomp.put(parts[0] + "/" + parts[1] + "/" + container, d);
                }
            }
        }
    }

    /** This set and another together. */
    public PolicySet with(PolicySet other) {
        PolicySet both = new PolicySet();
        for (PolicySet s : List.of(this, other)) {
            both.rbacObjects.addAll(s.rbacObjects);
            both.networkPolicies.addAll(s.networkPolicies);
            both.namespaceLabels.putAll(s.namespaceLabels);
            both.seccomp.putAll(s.seccomp);
        }
        return both;
    }

    /** This set's RBAC plus {@code others}. */
    RbacAuthorizer rbac(List<JsonNode> others) {
        RbacAuthorizer a = new RbacAuthorizer();
        others.forEach(a::add);
        rbacObjects.forEach(a::add);
        return a;
    }

    public boolean hasRbac() {
        return !rbacObjects.isEmpty();
    }
}
