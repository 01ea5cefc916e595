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
}
