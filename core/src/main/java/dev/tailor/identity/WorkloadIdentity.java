package dev.tailor.identity;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which workload a pod belongs to, from what an observation carries about it: its name and labels. (Owner
 * references from the admission stream, when they are there, are the better source; this is what is left when a
 * flow or a syscall record names only a pod.)
 *
 * <p>Kubernetes names pods from their controller's name plus suffixes drawn from the alphabet
 * {@code bcdfghjklmnpqrstvwxz2456789} (no vowels, so no words): a Deployment's pod is
 * {@code <deployment>-<pod-template-hash>-<5>}, a DaemonSet's {@code <daemonset>-<5>}, a StatefulSet's
 * {@code <statefulset>-<ordinal>}, a Job's {@code <job>-<5>} and a CronJob's Job {@code <cronjob>-<minutes since
 * the epoch>}. Labels, when present, decide between the shapes.
 */
public final class WorkloadIdentity {
    private WorkloadIdentity() {}

    private static final String SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]";
    private static final Pattern DEPLOYMENT_POD = Pattern.compile("(.+)-" + SUFFIX + "{6,10}-" + SUFFIX + "{5}");
    private static final Pattern FIVE_SUFFIX = Pattern.compile("(.+)-" + SUFFIX + "{5}");
    private static final Pattern ORDINAL = Pattern.compile("(.+)-(\\d+)");
    private static final Pattern CRONJOB_JOB = Pattern.compile("(.+)-(\\d{8,})");
    /** A CronJob run's pod: {@code <cronjob>-<minutes since the epoch>-<five>} (a pod-template-hash is never all digits). */
    private static final Pattern CRONJOB_POD = Pattern.compile("(.+)-(\\d{8,})-" + SUFFIX + "{5}");

    /**
     * Labels that differ between pods of one workload or change on every rollout, and so must never select a
     * workload in a generated policy: a NetworkPolicy pinned to a {@code pod-template-hash} stops matching at the
     * next rollout, one pinned to a zone stops matching after a reschedule, one pinned to a StatefulSet pod's name
     * matches one replica only.
     */
    static final Set<String> PER_INSTANCE_LABELS = Set.of(
            "pod-template-hash",
            "controller-revision-hash",
            "pod-template-generation",
            "statefulset.kubernetes.io/pod-name",
            "apps.kubernetes.io/pod-index",
            "controller-uid",
            "batch.kubernetes.io/controller-uid",
            "job-name",
            "batch.kubernetes.io/job-name",
            "batch.kubernetes.io/job-completion-index",
            "service.istio.io/canonical-revision");

    /**
     * Labels that name a release, not a workload: the next release changes them, so a selector that pinned one would
     * no longer select the workload's own pods (nor its peers' rules select it). A Deployment's {@code spec.selector}
     * must stay the same across releases, so charts keep these out of it (Helm's own convention selects by
     * {@code app.kubernetes.io/name} and {@code app.kubernetes.io/instance}). They stay out even when they did not
     * change during the window.
     */
    static final Set<String> RELEASE_LABELS = Set.of(
            "version",
            "app.kubernetes.io/version",
            "helm.sh/chart",
            "chart",
            "heritage",
            "app.kubernetes.io/managed-by");

    /**
     * The labels of a pod that may select its workload: everything but the per-instance, topology and release labels
     * ({@link #RELEASE_LABELS}).
     */
    public static Map<String, String> stableLabels(Map<String, String> labels) {
        Map<String, String> stable = new TreeMap<>();
        labels.forEach((k, v) -> {
            if (!PER_INSTANCE_LABELS.contains(k)
                    && !RELEASE_LABELS.contains(k)
                    && !k.startsWith("topology.kubernetes.io/")
                    && !k.equals("kubernetes.io/hostname")) {
                stable.put(k, v);
            }
        });
        return stable;
    }

    /**
     * The workload of a pod from its controller's owner reference, as the admission stream shows it: a ReplicaSet
     * named {@code <deployment>-<pod-template-hash>} belongs to that Deployment, a Job named
     * {@code <cronjob>-<minutes since the epoch>} to that CronJob; StatefulSet and DaemonSet own their pods
     * directly; any other controller (an Argo Rollout, an operator's kind) is taken as it is named. Without a
     * controller the pod is its own workload.
     */
    public static Workload ofOwner(
            String namespace, String podName, Map<String, String> labels, String ownerKind, String ownerName) {
        if (ownerKind == null || ownerKind.isEmpty()) {
            return new Workload(namespace, "Pod", podName);
        }
        switch (ownerKind) {
            case "ReplicaSet" -> {
                String hash = labels.get("pod-template-hash");
                if (hash != null && ownerName.endsWith("-" + hash)) {
                    return new Workload(
                            namespace, "Deployment", ownerName.substring(0, ownerName.length() - hash.length() - 1));
                }
                return new Workload(namespace, "ReplicaSet", ownerName);
            }
            case "Job" -> {
                Matcher cron = CRONJOB_JOB.matcher(ownerName);
                return cron.matches()
                        ? new Workload(namespace, "CronJob", cron.group(1))
                        : new Workload(namespace, "Job", ownerName);
            }
            default -> {
                return new Workload(namespace, ownerKind, ownerName);
            }
        }
    }

    /** The workload of a pod known only by name and labels. */
    public static Workload ofPod(String namespace, String podName, Map<String, String> labels) {
        String job = labels.getOrDefault("batch.kubernetes.io/job-name", labels.get("job-name"));
        if (job != null) {
            Matcher cron = CRONJOB_JOB.matcher(job);
            return cron.matches()
                    ? new Workload(namespace, "CronJob", cron.group(1))
                    : new Workload(namespace, "Job", job);
        }
        if (labels.containsKey("statefulset.kubernetes.io/pod-name")) {
            Matcher m = ORDINAL.matcher(podName);
            if (m.matches()) {
                return new Workload(namespace, "StatefulSet", m.group(1));
            }
        }
        if (labels.containsKey("controller-revision-hash")) {
            Matcher m = FIVE_SUFFIX.matcher(podName);
            if (m.matches()) {
                return new Workload(namespace, "DaemonSet", m.group(1));
            }
        }
        Matcher cronJob = CRONJOB_POD.matcher(podName);
        if (cronJob.matches()) {
            return new Workload(namespace, "CronJob", cronJob.group(1));
        }
        Matcher deployment = DEPLOYMENT_POD.matcher(podName);
        if (deployment.matches()) {
            return new Workload(namespace, "Deployment", deployment.group(1));
        }
        return new Workload(namespace, "Pod", podName);
    }
}
