package dev.tailor.identity;

import java.util.Map;

/**
 * Whether the API server vouches for a pod's owner. A pod's controller reference is whatever its creator wrote: a
 * namespace editor — or any account that may only create pods there — can name a Deployment's ReplicaSet as the
 * owner of a pod of its own, and what that pod does would widen the Deployment's proposal (the egress it opens, the
 * syscalls it makes), ready for a review to take as the Deployment's behavior. Who created the pod is what the API
 * server vouches for (an admission request's {@code userInfo}): Kubernetes' own controllers' pods — a ReplicaSet's,
 * StatefulSet's, DaemonSet's or Job's ({@code apps} and {@code batch}) — are created by the controller manager, as
 * its controller's service account ({@code --use-service-account-credentials}, as kubeadm and the managed clusters
 * run it) or as itself. A pod claiming one of those owners that anyone else created is its own workload.
 *
 * <p>Owners of other kinds (an operator's custom resources: a CloudNativePG Cluster, a Volcano Job) are created by
 * their operator's account, which Tailor does not know: those claims are believed, as before.
 */
public final class OwnerClaims {

    private OwnerClaims() {}

    /** Kubernetes' controllers by the API group and kind of the owner whose pods they create. */
    private static final Map<String, String> CONTROLLERS = Map.of(
            "apps/ReplicaSet", "replicaset-controller",
            "apps/StatefulSet", "statefulset-controller",
            "apps/DaemonSet", "daemon-set-controller",
            "batch/Job", "job-controller");

    private static final String CONTROLLER_MANAGER = "system:kube-controller-manager";

    /**
     * Whether a pod created by {@code creator} is believed to be its controller reference's: always, but for an owner
     * of Kubernetes' own controllers that its controller did not create.
     *
     * @param ownerApiVersion the controller reference's {@code apiVersion} ({@code apps/v1})
     * @param ownerKind its {@code kind}
     * @param creator the user that created the pod, as the admission request names it
     */
    public static boolean believed(String ownerApiVersion, String ownerKind, String creator) {
        int slash = ownerApiVersion.indexOf('/');
        String controller = CONTROLLERS.get((slash < 0 ? "" : ownerApiVersion.substring(0, slash)) + "/" + ownerKind);
        return controller == null
                || creator.equals(CONTROLLER_MANAGER)
                || creator.equals("system:serviceaccount:kube-system:" + controller);
    }
}
