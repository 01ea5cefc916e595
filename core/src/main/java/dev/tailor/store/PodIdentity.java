package dev.tailor.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Workload;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** A row of pod_identity: one pod's owner, service account and stable labels (as sorted JSON). */
public record PodIdentity(
        String namespace, String pod, String workloadKind, String workloadName, String serviceAccount, String labels)
        implements dev.tailor.util.Joined.Ordered<PodIdentity> {

    /**
     * Made only when pod identities are written or read (this class's first use): making an ObjectMapper (and
     * loading the classes it needs) cost an observe of logs alone 0.13 s of its start.
     */
    private static final ObjectMapper JSON = new ObjectMapper();

    static PodIdentity of(PodRecord r) {
        try {
            return new PodIdentity(
                    r.namespace(),
                    r.pod(),
                    r.workload().kind(),
                    r.workload().name(),
                    r.serviceAccount(),
                    JSON.writeValueAsString(new TreeMap<>(r.labels())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    PodRecord toRecord() {
        try {
            Map<String, String> parsed = JSON.readValue(
                    labels, new com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, String>>() {});
            return new PodRecord(
                    "",
                    Instant.EPOCH,
                    namespace,
                    pod,
                    new Workload(namespace, workloadKind, workloadName),
                    serviceAccount,
                    parsed,
                    false);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("pod_identity.labels is not JSON: " + labels, e);
        }
    }

    /** The parts of its {@link #toString()}, which it is ordered by. */
    @Override
    public String[] parts() {
        return new String[] {
            namespace,
            ", pod=",
            pod,
            ", workloadKind=",
            workloadKind,
            ", workloadName=",
            workloadName,
            ", serviceAccount=",
            serviceAccount,
            ", labels=",
            labels
        };
    }
}
