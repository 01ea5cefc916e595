package dev.tailor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading policies into typed objects: what a cluster dump and a proposal hold, and what a malformed file gets. */
class PolicySetTest {

    @TempDir
    Path dir;

    @Test
    void aDumpsListsAreOpenedIntoTypedObjects() throws IOException {
        Files.writeString(dir.resolve("dump.yaml"), """
                apiVersion: v1
                kind: List
                items:
                - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r, namespace: shop},
                   rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]}
                - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: b},
                   roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view},
                   subjects: [{kind: Group, name: devs}]}
                - {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {team: a}}}
                - {apiVersion: v1, kind: ConfigMap, metadata: {name: ignored, namespace: shop}}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p, namespace: shop}
                spec: {podSelector: {}, ingress: [{ports: [{port: http}]}]}
                """);
        PolicySet set = PolicySet.read(dir);
        assertEquals(
                List.of(Role.class, ClusterRoleBinding.class),
                set.rbacObjects.stream().map(Object::getClass).toList());
        assertEquals(Map.of("team", "a"), set.namespaceLabels.get("shop"));
        NetworkPolicy policy = set.networkPolicies.get(0);
        assertEquals(
                "http",
                policy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getStrVal());
    }

    @Test
    void aMalformedObjectIsAnErrorNamingTheFileAndDocument() throws IOException {
        Files.writeString(dir.resolve("ok.yaml"), "{kind: Role, metadata: {name: fine, namespace: shop}}\n");
        Files.writeString(
                dir.resolve("roles.yaml"),
                "{kind: Role, metadata: {name: fine, namespace: shop}}\n---\n"
                        + "{kind: Role, metadata: {name: broken, namespace: shop}, rules: {verbs: [get]}}\n");
        IOException e = assertThrows(IOException.class, () -> PolicySet.read(dir));
        assertTrue(
                e.getMessage()
                        .startsWith(dir.resolve("roles.yaml") + ": document 2: Role broken is not a valid object"),
                e.getMessage());
    }

    @Test
    void aSeccompProfileThatInheritsFromAnotherCannotBeJudged() throws IOException {
        Path dir = this.dir.resolve("shop/deployment.api");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("seccompprofile-server.yaml"), """
                apiVersion: security-profiles-operator.x-k8s.io/v1beta1
                kind: SeccompProfile
                metadata: {name: api-server, namespace: shop}
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                  baseProfileName: runc-v1.4.2
                  syscalls: [{names: [read], action: SCMP_ACT_ALLOW}]
                """);
        IOException e = assertThrows(IOException.class, () -> PolicySet.read(this.dir));
        assertTrue(
                e.getMessage()
                        .endsWith("document 1: SeccompProfile shop/deployment.api/seccompprofile-server.yaml names a"
                                + " baseProfileName (runc-v1.4.2): what it allows is not in the file, so impact cannot"
                                + " judge it"),
                e.getMessage());
        Files.writeString(
                dir.resolve("seccompprofile-server.yaml"),
                Files.readString(dir.resolve("seccompprofile-server.yaml"))
                        .replace("  baseProfileName: runc-v1.4.2\n", ""));
        assertTrue(PolicySet.read(this.dir).seccomp.containsKey("shop/deployment.api/server"));
    }

    @Test
    void aDocumentWithoutMetadataIsReadNotACrash() throws IOException {
        Files.writeString(dir.resolve("bare.yaml"), """
                {kind: ClusterRole, rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]}
                ---
                {kind: NetworkPolicy, spec: {podSelector: {}}}
                ---
                {kind: Namespace}
                """);
        PolicySet set = PolicySet.read(dir);
        assertEquals(1, set.rbacObjects.size());
        assertEquals(1, set.networkPolicies.size());
        assertTrue(ImpactAnalyzer.covered(set).isEmpty(), "no workload label, no workload");
        assertEquals(
                List.of(), set.rbac(List.of()).grants(dev.tailor.rbac.RbacAuthorizer.Subject.serviceAccount("a", "b")));
    }
}
