package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tailor.harness.LocalWebhook;
import dev.tailor.policy.Decision;
import dev.tailor.policy.PolicyEngine;
import dev.tailor.testing.RepositoryPaths;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in manifests/ and cert/ parses with the Kubernetes model, and the pieces fit together: the
 * webhook configurations call the Service on its port and the paths the webhook serves, the certificate covers
 * the Service's DNS name and lands in the Secret the Deployment mounts where the webhook reads it, the selectors
 * match the pods, the failure policy follows the mode — and Tailor's own policies pass Tailor's own objects.
 */
class ManifestsTest {

    private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization KUBE_JSON =
            new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<HasMetadata> OBJECTS = new ArrayList<>();

    @BeforeAll
    static void parse() throws IOException {
        Path root = RepositoryPaths.root();
        for (Path dir : List.of(root.resolve("manifests"), root.resolve("cert"))) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(p -> p.toString().endsWith(".yaml"))
                        .sorted()
                        .toList()) {
                    if (file.getFileName().toString().equals("kustomization.yaml")) {
                        assertKustomizationListsEveryFile(file);
                        continue;
                    }
                    for (JsonNode doc : YAML.readerFor(JsonNode.class).readValues(file.toFile()).readAll().stream()
                            .map(JsonNode.class::cast)
                            .toList()) {
                        HasMetadata object = KUBE_JSON.unmarshal(doc.toString());
                        assertNotNull(object.getMetadata().getName(), file + ": an object without a name");
                        OBJECTS.add(object);
                    }
                }
            }
        }
    }

    private static void assertKustomizationListsEveryFile(Path kustomization) throws IOException {
        JsonNode k = YAML.readTree(kustomization.toFile());
        List<String> listed = new ArrayList<>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> siblings = Files.list(kustomization.getParent())) {
            for (Path p : siblings.filter(p -> p.toString().endsWith(".yaml") && !p.equals(kustomization))
                    .toList()) {
                assertTrue(
                        listed.contains(p.getFileName().toString()),
                        kustomization + " does not list " + p.getFileName());
            }
        }
    }

    private static <T extends HasMetadata> T one(Class<T> type, String name) {
        return OBJECTS.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    private static GenericKubernetesResource custom(String kind, String name) {
        return OBJECTS.stream()
                .filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast)
                .filter(o ->
                        o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    /** The webhook's container in manifests/base's Deployment. */
    private static io.fabric8.kubernetes.api.model.Container webhookContainer() {
        return one(Deployment.class, "tailor-webhook")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    @Test
    void webhookConfigurationsCallTheServiceOnItsPortAndTheServedPaths() {
        Service service = one(Service.class, "tailor-webhook");
        int port = service.getSpec().getPorts().get(0).getPort();
        List<WebhookClientConfig> clients = new ArrayList<>();
        one(ValidatingWebhookConfiguration.class, "tailor").getWebhooks().forEach(w -> {
            clients.add(w.getClientConfig());
            assertEquals("/validate", w.getClientConfig().getService().getPath(), w.getName());
            assertEquals(List.of("v1"), w.getAdmissionReviewVersions(), w.getName());
            assertEquals("None", w.getSideEffects(), w.getName());
            assertTrue(w.getTimeoutSeconds() <= 10, w.getName());
        });
        one(MutatingWebhookConfiguration.class, "tailor").getWebhooks().forEach(w -> {
            clients.add(w.getClientConfig());
            assertEquals("/mutate", w.getClientConfig().getService().getPath(), w.getName());
            assertEquals("None", w.getSideEffects(), w.getName());
        });
        for (WebhookClientConfig c : clients) {
            assertEquals(service.getMetadata().getName(), c.getService().getName());
            assertEquals(service.getMetadata().getNamespace(), c.getService().getNamespace());
            assertEquals(port, c.getService().getPort());
        }
        // The paths exist: the resource serves exactly these two.
        assertTrue(java.util.Arrays.stream(AdmissionResource.class.getDeclaredMethods())
                .map(m -> m.getAnnotation(jakarta.ws.rs.Path.class))
                .filter(java.util.Objects::nonNull)
                .map(jakarta.ws.rs.Path::value)
                .toList()
                .containsAll(List.of("validate", "mutate")));
    }

    @Test
    void failurePolicyFollowsTheModeAndKubeSystemIsNeverSent() {
        one(ValidatingWebhookConfiguration.class, "tailor").getWebhooks().forEach(w -> {
            // Enforced namespaces fail closed, and so do a switch (a write that changes tailor.dev/* keys) and a
            // write of an approval (Tailor's own objects).
            String expected = w.getName().startsWith("enforce.")
                            || w.getName().startsWith("switch.")
                            || w.getName().startsWith("approvals.")
                    ? "Fail"
                    : "Ignore";
            assertEquals(expected, w.getFailurePolicy(), w.getName());
            if (w.getNamespaceSelector() != null) {
                assertTrue(
                        excludes(w.getNamespaceSelector().getMatchExpressions(), "kube-system")
                                && excludes(w.getNamespaceSelector().getMatchExpressions(), "tailor-system"),
                        w.getName());
            }
        });
        one(MutatingWebhookConfiguration.class, "tailor").getWebhooks().forEach(w -> {
            assertEquals("Ignore", w.getFailurePolicy(), w.getName());
            assertTrue(excludes(w.getNamespaceSelector().getMatchExpressions(), "kube-system"), w.getName());
        });
    }

    private static boolean excludes(List<LabelSelectorRequirement> requirements, String namespace) {
        return requirements.stream()
                .anyMatch(r -> r.getKey().equals("kubernetes.io/metadata.name")
                        && r.getOperator().equals("NotIn")
                        && r.getValues().contains(namespace));
    }

    @Test
    void certificateCoversTheServiceAndIsMountedWhereTheWebhookReadsIt() {
        Service service = one(Service.class, "tailor-webhook");
        GenericKubernetesResource certificate = custom("Certificate", "tailor-webhook");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) certificate.getAdditionalProperties().get("spec");
        String dns =
                service.getMetadata().getName() + "." + service.getMetadata().getNamespace() + ".svc";
        assertTrue(((List<?>) spec.get("dnsNames")).contains(dns), "certificate lacks " + dns);

        String injected = certificate.getMetadata().getNamespace() + "/"
                + certificate.getMetadata().getName();
        assertEquals(
                injected,
                one(ValidatingWebhookConfiguration.class, "tailor")
                        .getMetadata()
                        .getAnnotations()
                        .get("cert-manager.io/inject-ca-from"));
        assertEquals(
                injected,
                one(MutatingWebhookConfiguration.class, "tailor")
                        .getMetadata()
                        .getAnnotations()
                        .get("cert-manager.io/inject-ca-from"));

        Deployment deployment = one(Deployment.class, "tailor-webhook");
        var pod = deployment.getSpec().getTemplate().getSpec();
        var volume = pod.getVolumes().stream()
                .filter(v ->
                        v.getSecret() != null && v.getSecret().getSecretName().equals(spec.get("secretName")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume from Secret " + spec.get("secretName")));
        var container = pod.getContainers().get(0);
        String mountPath = container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volume.getName()))
                .findFirst()
                .orElseThrow()
                .getMountPath();
        Map<String, String> env = new java.util.HashMap<>();
        container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertEquals(mountPath + "/tls.crt", env.get("TAILOR_TLS_CERT"));
        assertEquals(mountPath + "/tls.key", env.get("TAILOR_TLS_KEY"));

        var ca = custom("Issuer", "tailor-ca");
        @SuppressWarnings("unchecked")
        Map<String, Object> caSpec = (Map<String, Object>)
                ((Map<String, Object>) ca.getAdditionalProperties().get("spec")).get("ca");
        @SuppressWarnings("unchecked")
        Map<String, Object> caCertSpec = (Map<String, Object>)
                custom("Certificate", "tailor-ca").getAdditionalProperties().get("spec");
        assertEquals(caCertSpec.get("secretName"), caSpec.get("secretName"));
    }

    @Test
    void theBenchAndTheEndToEndRunStartTheJvmAsTheDeploymentDoes() {
        var container = webhookContainer();
        String options = container.getEnv().stream()
                .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the Deployment sets no JAVA_TOOL_OPTIONS"))
                .getValue();
        assertEquals(LocalWebhook.CONTAINER_JVM_OPTIONS, options);
        // The Kubernetes client trusts the cluster's CA alone: fabric8 merges the CA it is given into the JVM's default
        // trust store (the JDK's public CAs) unless that store is none (e2e/run's webhook reaches its API server so).
        assertTrue(List.of(options.split(" ")).contains("-Djavax.net.ssl.trustStore=NONE"), options);
        assertEquals(
                LocalWebhook.CONTAINER_MEMORY_LIMIT,
                container.getResources().getLimits().get("memory").toString());
    }

    @Test
    void selectorsMatchThePods() {
        Deployment deployment = one(Deployment.class, "tailor-webhook");
        Map<String, String> labels =
                deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(labels.entrySet()
                .containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()));
        assertTrue(labels.entrySet()
                .containsAll(one(Service.class, "tailor-webhook")
                        .getSpec()
                        .getSelector()
                        .entrySet()));
        assertTrue(labels.entrySet()
                .containsAll(one(PodDisruptionBudget.class, "tailor-webhook")
                        .getSpec()
                        .getSelector()
                        .getMatchLabels()
                        .entrySet()));
        assertEquals(2, deployment.getSpec().getReplicas());
        String port = one(Service.class, "tailor-webhook")
                .getSpec()
                .getPorts()
                .get(0)
                .getTargetPort()
                .getStrVal();
        assertTrue(webhookContainer().getPorts().stream()
                .anyMatch(p -> p.getName().equals(port) && p.getContainerPort() == 8443));
        assertEquals(
                one(ServiceAccount.class, "tailor-webhook").getMetadata().getName(),
                deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
    }

    @Test
    void theWebhooksNetworkPolicyLetsOnlyNonPodAddressesReachItsPort() {
        Deployment deployment = one(Deployment.class, "tailor-webhook");
        NetworkPolicy policy = one(NetworkPolicy.class, "tailor-webhook");
        assertTrue(deployment
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels()
                .entrySet()
                .containsAll(policy.getSpec().getPodSelector().getMatchLabels().entrySet()));
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        var rule = policy.getSpec().getIngress().get(0);
        String port = one(Service.class, "tailor-webhook")
                .getSpec()
                .getPorts()
                .get(0)
                .getTargetPort()
                .getStrVal();
        assertEquals(port, rule.getPorts().get(0).getPort().getStrVal());
        assertEquals(1, rule.getFrom().size());
        assertFalse(rule.getFrom().get(0).getIpBlock().getExcept().isEmpty(), "the pod CIDR is left out");
        assertEquals(1, policy.getSpec().getIngress().size(), "no rule opens the management port");
        assertEquals(1, rule.getPorts().size());
    }

    /**
     * kubelet's probes go to the management port the webhook serves health on (quarkus.management.port), not to the
     * admission port: there they would wait behind its connection bound, and a flood that fills it would have the pod
     * restarted. The Service exposes the admission port alone.
     */
    @Test
    void probesGoToTheManagementPortWhichTheServiceLeavesOut() throws IOException {
        java.util.Properties properties = new java.util.Properties();
        try (var in = Files.newInputStream(
                RepositoryPaths.root().resolve("webhook/src/main/resources/application.properties"))) {
            properties.load(in);
        }
        assertEquals("true", properties.getProperty("quarkus.management.enabled"));
        int managementPort = Integer.parseInt(properties.getProperty("quarkus.management.port"));
        var container = webhookContainer();
        assertTrue(container.getPorts().stream()
                .anyMatch(p -> p.getName().equals("management") && p.getContainerPort() == managementPort));
        for (var probe :
                List.of(container.getReadinessProbe(), container.getLivenessProbe(), container.getStartupProbe())) {
            assertEquals("management", probe.getHttpGet().getPort().getStrVal());
            assertEquals("HTTPS", probe.getHttpGet().getScheme());
            assertTrue(
                    probe.getHttpGet().getPath().startsWith("/q/health/"),
                    probe.getHttpGet().getPath());
        }
        assertEquals(
                List.of("https"),
                one(Service.class, "tailor-webhook").getSpec().getPorts().stream()
                        .map(p -> p.getTargetPort().getStrVal())
                        .toList());
    }

    @Test
    void tailorsOwnObjectsPassTailorsOwnPoliciesAtRestricted() {
        PolicyEngine engine = PolicyEngine.bundled(1, Duration.ofSeconds(5));
        for (HasMetadata object : List.of(
                one(Deployment.class, "tailor-webhook"),
                one(ClusterRole.class, "tailor-webhook"),
                one(ClusterRoleBinding.class, "tailor-webhook"))) {
            ObjectNode input = new ObjectMapper().createObjectNode();
            ObjectNode request = input.putObject("request");
            request.put("uid", "manifest").put("operation", "CREATE").put("namespace", "tailor-system");
            String apiVersion = object.getApiVersion();
            request.putObject("kind")
                    .put("group", apiVersion.contains("/") ? apiVersion.split("/")[0] : "")
                    .put("version", apiVersion.substring(apiVersion.indexOf('/') + 1))
                    .put("kind", object.getKind());
            request.putObject("userInfo").put("username", "kubectl");
            request.set("object", new ObjectMapper().valueToTree(object));
            input.putObject("namespace")
                    .putObject("metadata")
                    .putObject("annotations")
                    .put("tailor.dev/pod-security", "restricted");
            input.put("mode", "enforce");
            Decision decision = engine.validate(input);
            assertFalse(decision.hasViolations(), object.getKind() + ": " + decision.violations());
        }
    }

    @Test
    void theWebhooksClusterRoleGrantsExactlyWhatItDoes() {
        ClusterRole role = one(ClusterRole.class, "tailor-webhook");
        // Exactly what the webhook does: read Namespaces, list Pods (the enforce flip's check), create Events (the
        // mode change), watch the approved objects, write its report per namespace — no other write, nothing on
        // Secrets, no wildcards.
        java.util.Map<String, java.util.Set<String>> granted = new java.util.TreeMap<>();
        role.getRules()
                .forEach(r -> r.getApiGroups()
                        .forEach(g -> r.getResources()
                                .forEach(res -> granted.computeIfAbsent(g + "/" + res, k -> new java.util.TreeSet<>())
                                        .addAll(r.getVerbs()))));
        assertEquals(
                java.util.Map.of(
                        "/namespaces",
                        java.util.Set.of("get", "list", "watch"),
                        "/pods",
                        java.util.Set.of("list"),
                        "/events",
                        java.util.Set.of("create"),
                        "networking.k8s.io/networkpolicies",
                        java.util.Set.of("list", "watch"),
                        "rbac.authorization.k8s.io/rolebindings",
                        java.util.Set.of("list", "watch"),
                        "rbac.authorization.k8s.io/clusterrolebindings",
                        java.util.Set.of("list", "watch"),
                        "security-profiles-operator.x-k8s.io/seccompprofiles",
                        java.util.Set.of("list", "watch"),
                        "openreports.io/reports",
                        java.util.Set.of("create", "patch"),
                        "wgpolicyk8s.io/policyreports",
                        java.util.Set.of("create", "patch")),
                granted,
                "the webhook's own ClusterRole");
        // Its only writes besides Events: the one report per namespace, by name.
        role.getRules().stream()
                .filter(r -> r.getVerbs().contains("patch") || r.getVerbs().contains("create"))
                .filter(r -> !r.getResources().equals(List.of("events")))
                .forEach(r -> assertEquals(
                        List.of("tailor-audit"), r.getResourceNames(), "only the report tailor-audit: " + r));
    }

    @Test
    void theWebhooksOtherGrantsAreWhatEveryAggregatedApiServerHas() {
        // Its only other grants are what every aggregated API server has: SubjectAccessReviews (system:auth-delegator)
        // and the front proxy's CA, read in kube-system (extension-apiserver-authentication-reader).
        java.util.Set<String> bound = new java.util.TreeSet<>();
        OBJECTS.forEach(o -> {
            if (o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding b
                    && b.getSubjects().stream().anyMatch(x -> x.getName().equals("tailor-webhook"))) {
                bound.add("cluster:" + b.getRoleRef().getKind() + "/"
                        + b.getRoleRef().getName());
            }
            if (o instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding b
                    && b.getSubjects().stream().anyMatch(x -> x.getName().equals("tailor-webhook"))) {
                bound.add(b.getMetadata().getNamespace() + ":" + b.getRoleRef().getKind() + "/"
                        + b.getRoleRef().getName());
            }
        });
        assertEquals(
                java.util.Set.of(
                        "cluster:ClusterRole/tailor-webhook",
                        "cluster:ClusterRole/system:auth-delegator",
                        "kube-system:Role/extension-apiserver-authentication-reader"),
                bound,
                "the webhook's bindings");
        ClusterRole preview = one(ClusterRole.class, "tailor-enforce-preview");
        assertEquals("true", preview.getMetadata().getLabels().get("rbac.authorization.k8s.io/aggregate-to-admin"));
        assertEquals(List.of("get"), preview.getRules().get(0).getVerbs(), "reading a preview is all it allows");
    }
}
