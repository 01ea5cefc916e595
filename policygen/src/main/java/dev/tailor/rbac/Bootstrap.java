package dev.tailor.rbac;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.kube.KubeObjects;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
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
    public static List<ClusterRole> clusterRoles() {
        try (InputStream in =
                Bootstrap.class.getResourceAsStream("/dev/tailor/generate/bootstrap/cluster-roles.yaml")) {
            List<ClusterRole> out = new ArrayList<>();
            new YAMLMapper()
                    .readTree(in)
                    .path("items")
                    .forEach(role -> out.add(KubeObjects.typed(role, ClusterRole.class)));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the bootstrap ClusterRoles", e);
        }
    }

    /** The rules every authenticated user has. */
    public static List<PolicyRule> everyonesRules() {
        List<PolicyRule> rules = new ArrayList<>();
        for (ClusterRole role : clusterRoles()) {
            if (EVERYONE.contains(role.getMetadata().getName())) {
                rules.addAll(PolicyRule.of(role.getRules()));
            }
        }
        return rules;
    }

    /** Those roles and the bindings that give them to {@code system:authenticated}, as objects. */
    public static List<HasMetadata> everyonesObjects() {
        List<HasMetadata> out = new ArrayList<>();
        for (ClusterRole role : clusterRoles()) {
            String name = role.getMetadata().getName();
            if (EVERYONE.contains(name)) {
                out.add(role);
                out.add(new ClusterRoleBindingBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
                        .addNewSubject()
                        .withKind("Group")
                        .withName("system:authenticated")
                        .endSubject()
                        .build());
            }
        }
        return out;
    }
}
