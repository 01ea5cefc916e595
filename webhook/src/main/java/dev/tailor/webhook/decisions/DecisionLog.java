package dev.tailor.webhook.decisions;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.identity.PodRecord;
import dev.tailor.observe.admission.AdmissionStreamReader;
import java.util.List;

/**
 * Where the webhook's admission stream goes: its decisions, for the enforce preview to replay, and the pods it saw
 * admitted, by which observations are attributed to workloads. Implementations are thread-safe.
 */
public interface DecisionLog {

    /** Records the lines of one admission decision, together. */
    void record(List<AdmissionDecision> records);

    /** Records a pod the webhook saw created or updated: its owner, service account and labels. */
    default void podAdmitted(PodRecord pod) {}

    /**
     * Whether the pod's latest creation vouched for none of Kubernetes' controllers' owners ({@link
     * dev.tailor.identity.OwnerClaims}), as far as the stream knows now: such a pod is its own workload, whatever owner
     * its later requests name. Answered without waiting (on the admission path).
     */
    default boolean ownerRefused(String namespace, String pod) {
        return false;
    }

    /**
     * A request the webhook admitted: when it created or updated a pod, the pod seen, read as {@code tailor observe}
     * reads a recorded admission stream ({@link AdmissionStreamReader#podSeen}) and recorded by {@link #podAdmitted}.
     * A request that names no namespace, no object or a malformed time is no pod seen (its decision is logged).
     */
    default void admitted(com.fasterxml.jackson.databind.JsonNode request, java.time.Instant at) {
        String operation = request.path("operation").asText();
        if (!operation.equals("CREATE") && !operation.equals("UPDATE")
                || !request.path("object").isObject()) {
            return;
        }
        try {
            PodRecord pod = AdmissionStreamReader.podSeen(request, at);
            if (pod != null) {
                podAdmitted(pod);
            }
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            // nothing to attribute by
        }
    }

    /**
     * What audit mode admitted that enforce mode would have denied: {@code violations} of one object, for the
     * namespace's report.
     */
    default void wouldDeny(
            java.time.Instant time,
            String namespace,
            String workload,
            dev.tailor.webhook.reports.PolicyReports.Resource resource,
            List<dev.tailor.policy.Violation> violations) {}
}
