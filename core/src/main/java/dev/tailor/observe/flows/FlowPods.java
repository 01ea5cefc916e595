package dev.tailor.observe.flows;

import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Pods;
import dev.tailor.identity.WorkloadIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods flows name that no admission review showed — kube-system's, which the webhook is never sent: their
 * labels come with every flow (Cilium's identity), so policies can select them. One record per pod, dated by its
 * earliest flow (see {@link #records}). Safe to fill from several
 * reading threads; the records come out the same whatever the order the flows were read in.
 */
public final class FlowPods {

    private final Pods pods;
    private final Map<String, PodRecord> seen = new ConcurrentHashMap<>();

    public FlowPods(Pods pods) {
        this.pods = pods;
    }

    /** Notes both ends of a flow. An end that is no pod, or a pod already known, costs one lookup. */
    public void note(Flow f) {
        note(f.source(), f.time());
        note(f.destination(), f.time());
    }

    private void note(Endpoint end, Instant time) {
        if (!end.inCluster() || end.podName().isEmpty() || end.podLabels().isEmpty()) {
            return;
        }
        if (pods.knows(end.namespace(), end.podName())) {
            // Known from the admission stream: that identity stands. Known only from flows: an earlier flow is news.
            Instant since = pods.flowOnlySince(end.namespace(), end.podName());
            if (since == null || !time.isBefore(since)) {
                return;
            }
        }
        String pod = end.namespace() + "/" + end.podName();
        PodRecord known = seen.get(pod);
        if (known != null && !time.isBefore(known.time())) {
            return;
        }
        PodRecord record = new PodRecord(
                "flow:" + pod,
                time,
                end.namespace(),
                end.podName(),
                pods.workload(end.namespace(), end.podName(), end.podLabels(), end.workload()),
                end.serviceAccount(),
                WorkloadIdentity.stableLabels(end.podLabels()),
                false);
        seen.merge(pod, record, (a, b) -> b.time().isBefore(a.time()) ? b : a);
    }

    /**
     * The pods noted, in the pods' order, each keyed by the pod and its earliest flow here: the same flows read again
     * store nothing new, while batches that arrive out of order (a forwarder sends several at once) each add their
     * earliest sighting, and the store keeps the earliest of all.
     */
    public List<PodRecord> records() {
        return new TreeMap<>(seen)
                .values().stream()
                        .map(r -> new PodRecord(
                                r.key() + "@" + r.time(),
                                r.time(),
                                r.namespace(),
                                r.pod(),
                                r.workload(),
                                r.serviceAccount(),
                                r.labels(),
                                r.created()))
                        .toList();
    }
}
