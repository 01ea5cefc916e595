package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.admission.AdmissionHandler;
import dev.tailor.webhook.admission.NamespaceLookup;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Namespaces as an informer sees them, so a request's mode and Pod Security level come from memory, never from
 * an API call on the admission path. A {@code kubectl annotate} reaches the cache as a watch event, typically
 * within a second. Each entry is kept already in the shape the policies read:
 * {@code {"metadata": {"name", "labels", "annotations"}}}.
 */
@ApplicationScoped
public class NamespaceCache implements NamespaceLookup {

    private static final Logger LOG = Logger.getLogger(NamespaceCache.class);

    private final KubernetesClient client;
    private final Map<String, JsonNode> namespaces = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<Namespace> informer;

    public NamespaceCache(KubernetesClient client) {
        this.client = client;
    }

    void start(@Observes StartupEvent event) {
        informer = client.namespaces().runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                put(ns);
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {
                String from = modeOf(before);
                String to = modeOf(after);
                if (!Objects.equals(from, to)) {
                    LOG.infof("namespace %s: mode %s -> %s", after.getMetadata().getName(), from, to);
                }
                put(after);
            }

            @Override
            public void onDelete(Namespace ns, boolean deletedFinalStateUnknown) {
                namespaces.remove(ns.getMetadata().getName());
            }
        });
        informer.start().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.errorf(error, "the namespace informer could not start; the webhook stays unready");
            } else {
                LOG.infof("namespace informer synced: %d namespaces", namespaces.size());
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (informer != null) {
            informer.stop();
        }
    }

    /** True once the informer has listed every namespace. */
    public boolean synced() {
        return informer != null && informer.hasSynced();
    }

    @Override
    public JsonNode namespace(String name) {
        return namespaces.get(name);
    }

    private void put(Namespace ns) {
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        metadata.put("name", ns.getMetadata().getName());
        ObjectNode labels = metadata.putObject("labels");
        Objects.requireNonNullElse(ns.getMetadata().getLabels(), Map.<String, String>of()).forEach(labels::put);
        ObjectNode annotations = metadata.putObject("annotations");
        Objects.requireNonNullElse(ns.getMetadata().getAnnotations(), Map.<String, String>of()).forEach(annotations::put);
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.set("metadata", metadata);
        namespaces.put(ns.getMetadata().getName(), entry);
    }

    private static String modeOf(Namespace ns) {
        Map<String, String> annotations = ns.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(AdmissionHandler.MODE_ANNOTATION);
    }
}
