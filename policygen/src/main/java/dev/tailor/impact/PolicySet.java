package dev.tailor.impact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.generate.Generated;
import dev.tailor.kube.Documents;
import dev.tailor.kube.KubeObjects;
import dev.tailor.kube.LabelSelector;
import dev.tailor.rbac.RbacAuthorizer;
import dev.tailor.seccomp.OciSeccompProfile;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
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

    private static final ObjectMapper PROFILES = new ObjectMapper();

    final List<HasMetadata> rbacObjects = new ArrayList<>();
    final List<NetworkPolicy> networkPolicies = new ArrayList<>();
    final Map<String, Map<String, String>> namespaceLabels = new TreeMap<>();
    /** {@code namespace/kind.name/container} → OCI profile. */
    final java.util.NavigableMap<String, OciSeccompProfile> seccomp = new TreeMap<>();

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
            List<JsonNode> docs = Documents.read(f);
            for (int i = 0; i < docs.size(); i++) {
                try {
                    set.add(docs.get(i), rel);
                } catch (IllegalArgumentException e) {
                    throw new IOException(f + ": document " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
        }
        return set;
    }

    /** Policies given as objects (from the Kubernetes API). */
    public static PolicySet of(List<? extends HasMetadata> objects) {
        PolicySet set = new PolicySet();
        objects.forEach(set::add);
        return set;
    }

    /** Policies given as documents ({@code kubectl get -o json} output, manifests). */
    public static PolicySet parsed(List<JsonNode> documents) {
        PolicySet set = new PolicySet();
        documents.forEach(d -> set.add(d, ""));
        return set;
    }

    /** The policies of a generation in this process, as objects: nothing written, nothing parsed. */
    public static PolicySet of(Generated generated) {
        PolicySet set = new PolicySet();
        generated.forEachObject((path, o) -> {
            if (o instanceof HasMetadata object) {
                set.add(object);
            } else if (o instanceof OciSeccompProfile profile) {
                String key = profileKey(path);
                if (key != null) {
                    set.seccomp.put(key, profile);
                }
            }
        });
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
                    try {
                        set.add(it.next(), e.getKey());
                    } catch (IllegalArgumentException bad) {
                        throw new IOException(e.getKey() + ": " + bad.getMessage(), bad);
                    }
                }
            }
        }
        return set;
    }

    /** Adds a document's objects: Lists opened, the kinds Tailor evaluates typed, OCI profiles by their path. */
    private void add(JsonNode document, String path) {
        for (JsonNode d : KubeObjects.items(document)) {
            if (KubeObjects.evaluated(d)) {
                add(KubeObjects.typed(d));
            } else {
                addOther(d, path);
            }
        }
    }

    private void add(HasMetadata object) {
        if (object instanceof NetworkPolicy p) {
            networkPolicies.add(p);
        } else if (object instanceof Namespace n && n.getMetadata().getName() != null) {
            namespaceLabels.put(n.getMetadata().getName(), LabelSelector.labels(n));
        } else if (object instanceof Role
                || object instanceof ClusterRole
                || object instanceof RoleBinding
                || object instanceof ClusterRoleBinding) {
            rbacObjects.add(object);
        }
    }

    private void addOther(JsonNode d, String path) {
        switch (d.path("kind").asText("")) {
            case "SeccompProfile" -> {} // the same profile as the OCI JSON beside it
            default -> {
                String key = profileKey(path);
                if (d.has("defaultAction") && key != null) {
                    seccomp.put(key, profile(d, path));
                }
            }
        }
    }

    /** The key of an OCI profile at {@code <ns>/<kind.name>/seccomp-<container>.json}; null for another path. */
    private static String profileKey(String path) {
        if (!path.matches("[^/]+/[^/]+/seccomp-[^/]+\\.json")) {
            return null;
        }
        String[] parts = path.split("/");
        return parts[0] + "/" + parts[1] + "/"
                + parts[2].substring("seccomp-".length(), parts[2].length() - ".json".length());
    }

    private static OciSeccompProfile profile(JsonNode d, String path) {
        try {
            return PROFILES.convertValue(d, OciSeccompProfile.class);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage() == null
                    ? ""
                    : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException("seccomp profile " + path + " is not a valid profile: " + why, e);
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
    RbacAuthorizer rbac(List<? extends HasMetadata> others) {
        RbacAuthorizer a = new RbacAuthorizer();
        others.forEach(a::add);
        rbacObjects.forEach(a::add);
        return a;
    }

    public boolean hasRbac() {
        return !rbacObjects.isEmpty();
    }
}
