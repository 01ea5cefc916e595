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

    // Ordered by its toString(), given in parts (Joined.Ordered).
    @Override
    public int partCount() {
        return 11;
    }

    @Override
    public String part(int i) {
        return switch (i) {
            case 0 -> namespace;
            case 1 -> ", pod=";
            case 2 -> pod;
            case 3 -> ", workloadKind=";
            case 4 -> workloadKind;
            case 5 -> ", workloadName=";
            case 6 -> workloadName;
            case 7 -> ", serviceAccount=";
            case 8 -> serviceAccount;
            case 9 -> ", labels=";
            default -> labels;
        };
    }
}
