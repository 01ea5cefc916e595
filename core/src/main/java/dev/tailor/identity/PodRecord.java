package dev.tailor.identity;

import java.time.Instant;
import java.util.Map;

/**
 * A pod as the admission stream showed it: which workload owns it (from its controller's owner reference), the
 * service account it runs as, and its stable labels — what later flows, syscall records and API calls are
 * attributed by.
 *
 * @param key    what makes the sighting the same when read again: the admission request's UID, or for a pod
 *               listed from the API, its namespace, name and resourceVersion
 * @param labels  the pod's labels without the per-instance ones ({@link WorkloadIdentity#stableLabels})
 * @param created true when this sighting is the pod's creation (an admission CREATE): its start was observed
 */
public record PodRecord(
        String key,
        Instant time,
        String namespace,
        String pod,
        Workload workload,
        String serviceAccount,
        Map<String, String> labels,
        boolean created) {}
