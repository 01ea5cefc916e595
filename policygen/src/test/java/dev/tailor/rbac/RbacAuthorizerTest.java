package dev.tailor.rbac;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.kube.KubeObjects;
import dev.tailor.rbac.RbacAuthorizer.Subject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RBAC semantics, rule by rule, on Kubernetes' own bootstrap ClusterRoles (aggregated admin/edit/view among them). */
class RbacAuthorizerTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private RbacAuthorizer rbac;
    private final Subject app = Subject.serviceAccount("shop", "app");

    @BeforeEach
    void bootstrapRoles() throws Exception {
        rbac = new RbacAuthorizer();
        Bootstrap.clusterRoles().forEach(rbac::add);
    }

    private void add(String yaml) throws Exception {
        KubeObjects.items(YAML.readTree(yaml)).forEach(d -> rbac.add(KubeObjects.typed(d)));
    }

    @Test
    void groupsBindEveryServiceAccount() throws Exception {
        assertFalse(rbac.allowsUrl(app, "get", "/apis/apps/v1"));
        add(
                "{kind: ClusterRoleBinding, metadata: {name: system:discovery}, roleRef: {kind: ClusterRole, name: system:discovery},"
                        + " subjects: [{kind: Group, name: system:authenticated}]}");
        assertTrue(rbac.allowsUrl(app, "get", "/apis/apps/v1"), "/apis/* covers it");
        assertFalse(rbac.allowsUrl(app, "post", "/apis/apps/v1"));
        assertFalse(rbac.allowsUrl(app, "get", "/metrics"));
    }

    @Test
    void aRoleBindingToAnAggregatedClusterRoleHoldsInItsNamespaceOnly() throws Exception {
        add("{kind: RoleBinding, metadata: {name: app-view, namespace: shop}, roleRef: {kind: ClusterRole, name: view},"
                + " subjects: [{kind: ServiceAccount, name: app, namespace: shop}]}");
        assertTrue(rbac.allows(app, "list", "", "pods", "", "shop", ""), "view aggregates system:aggregate-to-view");
        assertTrue(rbac.allows(app, "get", "apps", "deployments", "", "shop", "web"));
        assertFalse(rbac.allows(app, "get", "", "secrets", "", "shop", "token"), "view never reads Secrets");
        assertFalse(rbac.allows(app, "list", "", "pods", "", "other", ""), "a RoleBinding holds in its namespace");
        assertFalse(rbac.allows(app, "list", "", "pods", "", "", ""), "nor across all namespaces");
        assertFalse(rbac.allows(app, "delete", "", "pods", "", "shop", "web-1"));
        assertFalse(
                rbac.allows(Subject.serviceAccount("other", "app"), "list", "", "pods", "", "shop", ""),
                "same name, other namespace: another account");
    }

    @Test
    void namesSubresourcesAndWildcards() throws Exception {
        add("{kind: Role, metadata: {name: r, namespace: shop}, rules: ["
                + "{apiGroups: [''], resources: [configmaps], resourceNames: [settings], verbs: [get]},"
                + "{apiGroups: [apps], resources: ['*/scale'], verbs: [update]},"
                + "{apiGroups: [''], resources: [pods/log], verbs: [get]}]}");
        add("{kind: RoleBinding, metadata: {name: r, namespace: shop}, roleRef: {kind: Role, name: r},"
                + " subjects: [{kind: ServiceAccount, name: app, namespace: shop}]}");
        assertTrue(rbac.allows(app, "get", "", "configmaps", "", "shop", "settings"));
        assertFalse(rbac.allows(app, "get", "", "configmaps", "", "shop", "other"));
        assertTrue(rbac.allows(app, "update", "apps", "deployments", "scale", "shop", "web"));
        assertFalse(rbac.allows(app, "update", "apps", "deployments", "", "shop", "web"), "the subresource only");
        assertTrue(rbac.allows(app, "get", "", "pods", "log", "shop", "web-1"));
        assertFalse(rbac.allows(app, "get", "", "pods", "", "shop", "web-1"));
        add("{kind: ClusterRoleBinding, metadata: {name: root}, roleRef: {kind: ClusterRole, name: cluster-admin},"
                + " subjects: [{kind: User, name: alice}]}");
        Subject alice = new Subject("alice", List.of("system:authenticated"));
        assertTrue(rbac.allows(alice, "deletecollection", "anything.example.com", "widgets", "status", "", ""));
        assertTrue(rbac.allowsUrl(alice, "get", "/metrics"));
    }
}
