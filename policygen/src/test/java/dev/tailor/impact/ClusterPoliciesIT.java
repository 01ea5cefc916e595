package dev.tailor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.harness.LocalKubernetes;
import dev.tailor.rbac.RbacAuthorizer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;

/** {@code --current cluster}: what the Kubernetes API (here its test stand-in) holds becomes the current policies. */
class ClusterPoliciesIT {

    private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization KUBE_JSON =
            new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

    @Test
    void rbacNetworkPoliciesAndNamespacesAreReadThroughTheApi() throws Exception {
        try (LocalKubernetes kube = new LocalKubernetes()) {
            for (String yaml : new String[] {
                "{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: reader, namespace: shop},"
                        + " rules: [{apiGroups: [''], resources: [configmaps], verbs: [get]}]}",
                "{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: reader, namespace: shop},"
                        + " roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader},"
                        + " subjects: [{kind: ServiceAccount, name: app, namespace: shop}]}",
                "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: deny, namespace: shop},"
                        + " spec: {podSelector: {}, policyTypes: [Ingress]}}"
            }) {
                HasMetadata object =
                        KUBE_JSON.unmarshal(new YAMLMapper().readTree(yaml).toString());
                kube.client().resource(object).create();
            }
            kube.applyNamespace("shop", java.util.Map.of("tailor.dev/mode", "audit"));
            PolicySet current = ClusterPolicies.read(kube.client());
            RbacAuthorizer rbac = current.rbac(java.util.List.of());
            RbacAuthorizer.Subject app = RbacAuthorizer.Subject.serviceAccount("shop", "app");
            assertTrue(rbac.allows(app, "get", "", "configmaps", "", "shop", "x"));
            assertFalse(rbac.allows(app, "list", "", "configmaps", "", "shop", ""));
            assertEquals(1, current.networkPolicies.size());
            assertTrue(current.namespaceLabels.containsKey("shop"));
        }
    }
}
