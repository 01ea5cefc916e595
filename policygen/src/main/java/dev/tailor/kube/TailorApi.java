package dev.tailor.kube;

import dev.tailor.contract.Names;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Tailor's aggregated API ({@code tailor.dev/v1alpha1}, served by the webhook) as the CLI reaches it: through the API
 * server, with the user's own kubeconfig; the webhook authorizes each read by the user's RBAC.
 */
public final class TailorApi {
    private TailorApi() {}

    public static final String PREFIX = Names.API_PATH;

    /**
     * GETs {@code PREFIX + path}; the body.
     *
     * @param resource what RBAC must allow, for the message when it does not ("enforcepreviews.tailor.dev in shop")
     * @throws IOException saying why it could not be read: forbidden, the API not installed or not available, or the
     *     cluster not reachable
     */
    public static String get(Supplier<KubernetesClient> clients, String path, String resource) throws IOException {
        String body;
        try (KubernetesClient client = clients.get()) {
            body = client.raw(client.getMasterUrl().toString().replaceAll("/$", "") + PREFIX + path);
        } catch (KubernetesClientException e) {
            throw new IOException(
                    e.getCode() == 403
                            ? "forbidden: you need get on " + resource
                            : e.getCode() == 404 || e.getCode() == 503 ? notAvailable() : Kubeconfig.describe(e),
                    e);
        }
        if (body == null) {
            throw new IOException(notAvailable());
        }
        return body;
    }

    private static String notAvailable() {
        return "Tailor's API v1alpha1." + Names.GROUP
                + " is not installed or not available (kubectl get apiservice v1alpha1." + Names.GROUP + ")";
    }
}
