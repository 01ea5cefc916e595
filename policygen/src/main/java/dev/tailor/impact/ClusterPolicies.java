package dev.tailor.impact;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --current cluster}: the policies as the cluster has them, read through the Kubernetes API (the kubeconfig
 * or in-cluster service account the client finds): Roles, ClusterRoles, their bindings, NetworkPolicies and
 * Namespaces. Read-only: list permissions on those kinds are all it needs.
 */
public final class ClusterPolicies {
    private ClusterPolicies() {}

    public static PolicySet read(KubernetesClient client) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.addAll(client.rbac().roles().inAnyNamespace().list().getItems());
        objects.addAll(client.rbac().roleBindings().inAnyNamespace().list().getItems());
        objects.addAll(client.rbac().clusterRoles().list().getItems());
        objects.addAll(client.rbac().clusterRoleBindings().list().getItems());
        objects.addAll(
                client.network().v1().networkPolicies().inAnyNamespace().list().getItems());
        objects.addAll(client.namespaces().list().getItems());
        return PolicySet.of(objects);
    }
}
