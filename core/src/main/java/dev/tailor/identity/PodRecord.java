package dev.tailor.identity;

import java.time.Instant;
import java.util.List;
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
 * @param containers the names of its containers ({@code spec.containers}), sorted: the pod template's, which an
 *                   ephemeral container named alike in another pod claiming the same owner does not stand for
 * @param initContainers the names of its init containers ({@code spec.initContainers}), sorted: a seccomp patch must
 *                       name them there, not among its containers
 * @param ephemeralContainers the names of the ephemeral containers added to it ({@code kubectl debug}), sorted: not
 *                            the pod template's, so never patched
 * @param ownerRefused true when this sighting is the pod's creation by someone Kubernetes' controller manager is
 *                     not, naming one of its controllers' owners or none ({@link OwnerClaims}): {@code workload} is
 *                     the pod itself, and so is every later sighting's until a creation of the same name that is
 *                     the controller's ({@link Pods#decided})
 */
public record PodRecord(
        String key,
        Instant time,
        String namespace,
        String pod,
        Workload workload,
        String serviceAccount,
        Map<String, String> labels,
        boolean created,
        List<String> containers,
        List<String> initContainers,
        List<String> ephemeralContainers,
        boolean ownerRefused) {

    public PodRecord {
        // Sorted, so that the same pod read twice is the same record; most pods have no init or ephemeral containers:
        // no set made for those (a pod record is made for every pod admitted).
        containers = sorted(containers);
        initContainers = sorted(initContainers);
        ephemeralContainers = sorted(ephemeralContainers);
    }

    private static List<String> sorted(List<String> names) {
        return names.isEmpty() ? List.of() : List.copyOf(new java.util.TreeSet<>(names));
    }

    /** A sighting of a pod whose containers are not known (a pod identity as stored, a pod a flow names). */
    public PodRecord(
            String key,
            Instant time,
            String namespace,
            String pod,
            Workload workload,
            String serviceAccount,
            Map<String, String> labels,
            boolean created) {
        this(key, time, namespace, pod, workload, serviceAccount, labels, created, List.of(), List.of(), List.of());
    }

    /** A sighting whose owner, if it names one, is believed. */
    public PodRecord(
            String key,
            Instant time,
            String namespace,
            String pod,
            Workload workload,
            String serviceAccount,
            Map<String, String> labels,
            boolean created,
            List<String> containers,
            List<String> initContainers,
            List<String> ephemeralContainers) {
        this(
                key,
                time,
                namespace,
                pod,
                workload,
                serviceAccount,
                labels,
                created,
                containers,
                initContainers,
                ephemeralContainers,
                false);
    }

    /** The same sighting attributed to another workload. */
    public PodRecord withWorkload(Workload other) {
        return new PodRecord(
                key,
                time,
                namespace,
                pod,
                other,
                serviceAccount,
                labels,
                created,
                containers,
                initContainers,
                ephemeralContainers,
                ownerRefused);
    }
}
