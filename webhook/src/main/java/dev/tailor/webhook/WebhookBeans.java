package dev.tailor.webhook;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.identity.PodRecord;
import dev.tailor.policy.PolicyEngine;
import dev.tailor.webhook.admission.AdmissionHandler;
import dev.tailor.webhook.decisions.DecisionLog;
import dev.tailor.webhook.decisions.JsonLinesDecisionLog;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Wires the plain-Java parts (engine, decision log, handler) into the Quarkus application. */
@ApplicationScoped
public class WebhookBeans {

    private static final Logger LOG = Logger.getLogger(WebhookBeans.class);

    /** Built beside the rest of the start ({@link StartupWork}); the start fails when it cannot be. */
    @Produces
    @ApplicationScoped
    @Startup
    PolicyEngine policyEngine(StartupWork start) {
        return start.engine();
    }

    @Produces
    @ApplicationScoped
    RequestMemory requestMemory(TailorConfig config) {
        RequestMemory memory = config.requestMemory().map(RequestMemory::new).orElseGet(RequestMemory::halfOfHeap);
        LOG.infof(
                "requests in flight may take %d MiB of heap together: the largest review evaluated is %d bytes, the "
                        + "largest ingest batch stored %d bytes",
                memory.capacityBytes() >> 20,
                memory.reviews().largestBody(),
                memory.batches().largestBody());
        return memory;
    }

    @Produces
    @ApplicationScoped
    SyncedDecisionLog decisionLog(TailorConfig config) {
        return new SyncedDecisionLog(new JsonLinesDecisionLog(
                config.decisionLog().path(),
                config.decisionLog().maxBytes(),
                config.decisionLog().maxFiles()));
    }

    void closeDecisionLog(@Disposes SyncedDecisionLog log) {
        log.close();
    }

    @Produces
    @ApplicationScoped
    AdmissionHandler handler(
            PolicyEngine engine,
            NamespaceCache namespaces,
            TailorConfig config,
            SyncedDecisionLog decisionLog,
            ObservationSink sink,
            PrometheusAdmissionMetrics metrics,
            io.fabric8.kubernetes.client.KubernetesClient client,
            dev.tailor.webhook.reports.ReportWriter reports) {
        // Every decision goes to the file (synchronously, bounded by rotation) and, with the pods seen, to the store.
        DecisionLog stream = new DecisionLog() {
            @Override
            public void record(List<AdmissionDecision> records) {
                decisionLog.log().record(records);
                sink.decisions(records);
            }

            @Override
            public void podAdmitted(PodRecord pod) {
                sink.pod(pod);
            }

            @Override
            public boolean ownerRefused(String namespace, String pod) {
                return sink.ownerRefused(namespace, pod);
            }

            @Override
            public void wouldDeny(
                    java.time.Instant time,
                    String namespace,
                    String workload,
                    dev.tailor.webhook.reports.PolicyReports.Resource resource,
                    List<dev.tailor.policy.Violation> violations) {
                // Only into a namespace that exists: a review may name any (one that does not would hold memory and
                // a report no write can place), and one deleted and made again starts a report of its own.
                String uid = namespaces.activeUid(namespace);
                if (config.reports().enabled() && uid != null) {
                    reports.reports().wouldDeny(time, namespace, uid, workload, resource, violations);
                }
            }
        };
        return new AdmissionHandler(
                engine,
                namespaces,
                config.defaultMode(),
                config.clusterScopedMode(),
                config.onEvaluationError(),
                stream,
                metrics,
                Clock.systemUTC(),
                existingPods(client));
    }

    /** The same handler on the engine's resident instances, for the HTTP server's event loops. */
    @Produces
    @jakarta.inject.Singleton
    EventLoopAdmission.Handler eventLoopHandler(AdmissionHandler handler, PolicyEngine engine) {
        return new EventLoopAdmission.Handler(handler.withEngine(engine.resident()));
    }

    /** A namespace's pods through the API, a page of at most {@code limit}. */
    private static dev.tailor.webhook.admission.ExistingPods existingPods(
            io.fabric8.kubernetes.client.KubernetesClient client) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        return (namespace, limit) -> {
            var list = client.pods()
                    .inNamespace(namespace)
                    .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                            .withLimit((long) limit)
                            .build());
            List<com.fasterxml.jackson.databind.JsonNode> pods = new java.util.ArrayList<>();
            list.getItems().stream().limit(limit).forEach(p -> pods.add(json.valueToTree(p)));
            String next = list.getMetadata() == null ? null : list.getMetadata().getContinue();
            return new dev.tailor.webhook.admission.ExistingPods.Page(
                    pods, list.getItems().size() > limit || (next != null && !next.isEmpty()));
        };
    }

    /** The decision log, forced to disk once a second and on shutdown. */
    public static final class SyncedDecisionLog implements AutoCloseable {
        private final JsonLinesDecisionLog log;
        private final ScheduledExecutorService syncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tailor-decision-log-sync");
            t.setDaemon(true);
            return t;
        });

        SyncedDecisionLog(JsonLinesDecisionLog log) {
            this.log = log;
            syncer.scheduleWithFixedDelay(log::sync, 1, 1, TimeUnit.SECONDS);
        }

        public JsonLinesDecisionLog log() {
            return log;
        }

        @Override
        public void close() {
            syncer.shutdownNow();
            log.close();
        }
    }
}
