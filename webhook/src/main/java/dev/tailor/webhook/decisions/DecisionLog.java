package dev.tailor.webhook.decisions;

import dev.tailor.identity.PodRecord;
import dev.tailor.observe.admission.AdmissionDecision;
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
