package dev.tailor.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' bootstrap RBAC as data (its default ClusterRoles, kept with their provenance under
 * {@code dev/tailor/generate/bootstrap/}), and the three every authenticated user is bound to.
 */
public final class Bootstrap {
    private Bootstrap() {}

    /** Bootstrap ClusterRoles bound to {@code system:authenticated} by Kubernetes' default bindings. */
    public static final List<String> EVERYONE =
            List.of("system:discovery", "system:basic-user", "system:public-info-viewer");

    /** Every bootstrap ClusterRole. */
    public static List<JsonNode> clusterRoles() {
        try (InputStream in =
                Bootstrap.class.getResourceAsStream("/dev/tailor/generate/bootstrap/cluster-roles.yaml")) {
            List<JsonNode> out = new ArrayList<>();
            new YAMLMapper().readTree(in).path("items").forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the bootstrap ClusterRoles", e);
        }
    }

    /** The rules every authenticated user has. */
    public static List<PolicyRule> everyonesRules() {
        List<PolicyRule> rules = new ArrayList<>();
        for (JsonNode role : clusterRoles()) {
            if (EVERYONE.contains(role.path("metadata").path("name").asText())) {
                rules.addAll(PolicyRule.of(role));
            }
        }
        return rules;
    }

    /** Those roles and the bindings that give them to {@code system:authenticated}, as objects. */
    public static List<JsonNode> everyonesObjects() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode role : clusterRoles()) {
            String name = role.path("metadata").path("name").asText();
            if (EVERYONE.contains(name)) {
                out.add(role);
                ObjectNode binding = JsonNodeFactory.instance.objectNode().put("kind", "ClusterRoleBinding");
                binding.putObject("metadata").put("name", name);
                binding.putObject("roleRef").put("kind", "ClusterRole").put("name", name);
                binding.putArray("subjects").addObject().put("kind", "Group").put("name", "system:authenticated");
                out.add(binding);
            }
        }
        return out;
    }
}
