package dev.tailor.harness;

import dev.tailor.contract.Names;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An embedded stand-in for the Kubernetes API (fabric8's CRUD mock server, over HTTPS on loopback) for running
 * Tailor where there is no cluster. It stores and watches objects like an API server, but runs no admission
 * chain and no controllers: nothing it holds calls the webhook by itself.
 */
public final class LocalKubernetes implements AutoCloseable {

    /** The stand-in logs every request at INFO; only its problems matter here. Held so the level set stays. */
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;

    public LocalKubernetes() {
        LOG.setLevel(java.util.logging.Level.WARNING);
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), true);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    /** The API server URL, e.g. {@code https://127.0.0.1:41327/}. */
    public String url() {
        return client.getConfiguration().getMasterUrl();
    }

    public NamespacedKubernetesClient client() {
        return client;
    }

    /** A client of its own for a caller that closes it (as the CLI's commands do). */
    public NamespacedKubernetesClient newClient() {
        return server.createClient();
    }

    /**
     * Writes a kubeconfig for the stand-in to {@code file}, as the CLI reads one ({@code KUBECONFIG}, or the
     * {@code kubeconfig} system property). The stand-in's certificate is made for this run by the mock server and
     * trusted unchecked: a local demo's API, never a cluster's.
     */
    public Path writeKubeconfig(Path file) throws java.io.IOException {
        String server = url().replaceAll("/$", "");
        String config = String.join(
                "\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: local",
                "  cluster:",
                "    server: " + server,
                "    insecure-skip-tls-verify: true",
                "users:",
                "- name: local",
                "  user:",
                "    token: local",
                "contexts:",
                "- name: local",
                "  context:",
                "    cluster: local",
                "    user: local",
                "current-context: local",
                "");
        return java.nio.file.Files.writeString(file, config);
    }

    /** Creates or updates a namespace with the given annotations (and the mode label Tailor's mutation keeps). */
    public void applyNamespace(String name, Map<String, String> annotations) {
        Map<String, String> labels = new HashMap<>();
        labels.put("kubernetes.io/metadata.name", name);
        if (annotations.containsKey(Names.MODE)) {
            labels.put(Names.MODE, annotations.get(Names.MODE));
        }
        var namespace = new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .build();
        client.namespaces().resource(namespace).createOr(NonDeletingOperation::update);
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
