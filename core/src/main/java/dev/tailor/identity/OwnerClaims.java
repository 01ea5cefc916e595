package dev.tailor.identity;

import java.util.Map;

/**
 * Whether the API server vouches for a pod's owner. A pod's controller reference is whatever its creator wrote: a
 * namespace editor — or any account that may only create pods there — can name a Deployment's ReplicaSet as the
 * owner of a pod of its own, and what that pod does would widen the Deployment's proposal (the egress it opens, the
 * syscalls it makes), ready for a review to take as the Deployment's behavior. Who created the pod is what the API
 * server vouches for (an admission request's {@code userInfo}): Kubernetes' own controllers' pods — a ReplicaSet's,
 * StatefulSet's, DaemonSet's, Job's or ReplicationController's — are created by the controller manager, as
 * its controller's service account ({@code --use-service-account-credentials}, as kubeadm and the managed clusters
 * run it) or as itself. A pod claiming one of those owners that anyone else created is its own workload; so is a pod
 * anyone else created without an owner, when a controller adopts it later (a ReplicaSet takes in a bare pod its
 * selector matches): its spec is still its creator's.
 *
 * <p>Owners of other kinds (an operator's custom resources: a CloudNativePG Cluster, a Volcano Job; a static pod's
 * Node) are created by accounts Tailor does not know: those claims are believed, as before.
 */
public final class OwnerClaims {

    private OwnerClaims() {}

    /** Kubernetes' controllers by the API group and kind of the owner whose pods they create. */
    private static final Map<String, String> CONTROLLERS = Map.of(
            "apps/ReplicaSet", "replicaset-controller",
            "apps/StatefulSet", "statefulset-controller",
            "apps/DaemonSet", "daemon-set-controller",
            "batch/Job", "job-controller",
            "/ReplicationController", "replication-controller");

    private static final String CONTROLLER_MANAGER = "system:kube-controller-manager";
    private static final String ACCOUNTS = "system:serviceaccount:kube-system:";

    /**
     * Whether a pod {@code creator} created is, for good, none of Kubernetes' controllers' — its controller reference
     * (none: an empty kind) naming one of their owners not believed now, nor one a later update names.
     *
     * @param ownerApiVersion the controller reference's {@code apiVersion} ({@code apps/v1})
     * @param ownerKind its {@code kind}; empty for a pod created without one
     * @param creator the user that created the pod, as the admission request names it
     */
    public static boolean refused(String ownerApiVersion, String ownerKind, String creator) {
        if (ownerKind.isEmpty()) {
            return !creator.equals(CONTROLLER_MANAGER)
                    && CONTROLLERS.values().stream().noneMatch(c -> creator.equals(ACCOUNTS + c));
        }
        int slash = ownerApiVersion.indexOf('/');
        String controller = CONTROLLERS.get((slash < 0 ? "" : ownerApiVersion.substring(0, slash)) + "/" + ownerKind);
        return controller != null && !creator.equals(CONTROLLER_MANAGER) && !creator.equals(ACCOUNTS + controller);
    }
}
