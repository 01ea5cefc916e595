package dev.tailor.kube;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kinds Tailor evaluates — RBAC objects, NetworkPolicies, Namespaces — read from documents into fabric8's typed
 * model, so evaluators read fields, not JSON paths. Lists ({@code kind: List}, {@code RoleList}, …) are opened.
 */
public final class KubeObjects {
    private KubeObjects() {}

    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Role", Role.class,
            "ClusterRole", ClusterRole.class,
            "RoleBinding", RoleBinding.class,
            "ClusterRoleBinding", ClusterRoleBinding.class,
            "NetworkPolicy", NetworkPolicy.class,
            "Namespace", Namespace.class);

    /** A document's objects: the items of a List, else the document itself. */
    public static List<JsonNode> items(JsonNode doc) {
        if (doc.path("kind").asText("").endsWith("List") && doc.path("items").isArray()) {
            List<JsonNode> items = new ArrayList<>();
            doc.path("items").forEach(i -> items.addAll(items(i)));
            return items;
        }
        return List.of(doc);
    }

    /** Whether {@link #typed} reads this document's kind. */
    public static boolean evaluated(JsonNode doc) {
        return KINDS.containsKey(doc.path("kind").asText(""));
    }

    /**
     * The object as its fabric8 type, with metadata (empty when the document has none); null for a kind Tailor does
     * not evaluate. A document of an evaluated kind whose fields have the wrong shape (a string where a list goes) is
     * an IllegalArgumentException naming the object.
     */
    public static HasMetadata typed(JsonNode doc) {
        Class<? extends HasMetadata> type = KINDS.get(doc.path("kind").asText(""));
        if (type == null) {
            return null;
        }
        try {
            HasMetadata object = JSON.convertValue(doc, type);
            if (object.getMetadata() == null) {
                object.setMetadata(
                        new ObjectMeta()); // a hand-written document may leave it out; readers need not check
            }
            return object;
        } catch (IllegalArgumentException e) {
            String name = doc.path("metadata").path("name").asText("(no name)");
            String why = e.getMessage() == null
                    ? ""
                    : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException(type.getSimpleName() + " " + name + " is not a valid object: " + why, e);
        }
    }

    /** {@link #typed}, for a document known to be of that kind. */
    public static <T extends HasMetadata> T typed(JsonNode doc, Class<T> type) {
        return type.cast(typed(doc));
    }
}
