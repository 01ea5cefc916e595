package dev.tailor.webhook.decisions;

import dev.tailor.observe.admission.AdmissionDecision;
import java.util.List;

/** Where the webhook's decisions go, for the enforce preview to replay. Implementations are thread-safe. */
public interface DecisionLog {

    /** Records the lines of one admission decision, together. */
    void record(List<AdmissionDecision> records);
}
