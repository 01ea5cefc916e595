package dev.tailor.webhook.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.NamespaceCache;
import dev.tailor.webhook.TailorConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Writes {@link PolicyReports}' changed reports to the API server, once per interval, by server-side apply (field
 * manager {@code tailor}): whichever report CRD the cluster has, OpenReports' first. Without either CRD nothing is
 * written (said once, looked for again every five minutes). A failed write is tried again at the next interval; the
 * admission path never waits for it.
 */
@ApplicationScoped
public class ReportWriter {

    private static final Logger LOG = Logger.getLogger(ReportWriter.class);
    private static final Duration LOOK_AGAIN = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PolicyReports reports = new PolicyReports();
    private final KubernetesClient client;
    private final TailorConfig config;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tailor-policy-reports");
        t.setDaemon(true);
        return t;
    });
    private PolicyReports.Format format;
    private Instant lookedAt = Instant.MIN;
    private String lastProblem = "";

    private final NamespaceCache namespaces;

    public ReportWriter(KubernetesClient client, TailorConfig config, NamespaceCache namespaces) {
        this.client = client;
        this.config = config;
        this.namespaces = namespaces;
    }

    /** Where the admission path records what audit mode would have denied. */
    public PolicyReports reports() {
        return reports;
    }

    void start(@Observes StartupEvent event) {
        if (config.reports().enabled()) {
            long every = Math.max(1, config.reports().interval().toMillis());
            flusher.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        flusher.shutdownNow();
    }

    /** Writes the changed reports; never throws (a scheduled task that throws is never run again). */
    void flush() {
        try {
            reports.retain(namespaces::activeUid);
            PolicyReports.Format to = format();
            if (to == null) {
                reports.discardChanged();
                return;
            }
            for (Map.Entry<String, ObjectNode> report : reports.takeChanged(to).entrySet()) {
                try {
                    GenericKubernetesResource resource =
                            JSON.treeToValue(report.getValue(), GenericKubernetesResource.class);
                    client.genericKubernetesResources(to.apiVersion, to.kind)
                            .inNamespace(report.getKey())
                            .resource(resource)
                            .fieldManager("tailor")
                            .forceConflicts()
                            .serverSideApply();
                } catch (KubernetesClientException e) {
                    if (namespaceGone(e) || namespaces.activeUid(report.getKey()) == null) {
                        // Deleted since (a 404 naming the namespace), or being deleted (a 403): nowhere to write it.
                        reports.forget(report.getKey());
                        continue;
                    }
                    reports.retry(report.getKey());
                    if (e.getCode() == 404) {
                        format = null; // the CRD went away: look again
                    }
                    problem("cannot write the " + to.kind + " of namespace " + report.getKey() + " (" + e.getCode()
                            + " " + e.getMessage() + "); trying again");
                }
            }
        } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
            problem("policy reports: " + e);
        }
    }

    /** The API server's answer to a write into a namespace that does not exist: 404, its details naming it. */
    static boolean namespaceGone(KubernetesClientException e) {
        return e.getCode() == 404
                && e.getStatus() != null
                && e.getStatus().getDetails() != null
                && "namespaces".equals(e.getStatus().getDetails().getKind());
    }

    private PolicyReports.Format format() {
        if (format != null || Duration.between(lookedAt, Instant.now()).compareTo(LOOK_AGAIN) < 0) {
            return format;
        }
        lookedAt = Instant.now();
        for (PolicyReports.Format f : PolicyReports.Format.values()) {
            if (client.supports(f.apiVersion, f.kind)) {
                format = f;
                LOG.infof("audit findings go to %s %s/%s in each namespace", f.apiVersion, f.kind, PolicyReports.NAME);
                return f;
            }
        }
        problem(
                "neither OpenReports' Report nor wgpolicyk8s.io's PolicyReport CRD is installed: no policy reports are written "
                        + "(the decision log and tailor impact's enforce preview still have every finding)");
        return null;
    }

    /** Logs a problem once, not at every interval. */
    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            LOG.warn(message);
            lastProblem = message;
        }
    }
}
