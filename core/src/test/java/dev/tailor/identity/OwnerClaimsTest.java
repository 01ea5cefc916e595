package dev.tailor.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which creators vouch for which owners: Kubernetes' controllers for their own kinds, anyone for an operator's. */
class OwnerClaimsTest {

    private static final String ACCOUNTS = "system:serviceaccount:kube-system:";

    @Test
    void eachControllersPodsAreItsOwnAndTheControllerManagersAndNoOneElses() {
        Object[][] cases = {
            // owner apiVersion, kind, creator, refused
            {"apps/v1", "ReplicaSet", ACCOUNTS + "replicaset-controller", false},
            {"apps/v1", "ReplicaSet", "system:kube-controller-manager", false},
            {"apps/v1", "ReplicaSet", ACCOUNTS + "statefulset-controller", true},
            {"apps/v1", "ReplicaSet", "system:serviceaccount:shop:ci-runner", true},
            {"apps/v1", "ReplicaSet", "kubernetes-admin", true},
            {"apps/v1", "StatefulSet", ACCOUNTS + "statefulset-controller", false},
            {"apps/v1", "DaemonSet", ACCOUNTS + "daemon-set-controller", false},
            {"apps/v1", "DaemonSet", ACCOUNTS + "replicaset-controller", true},
            {"batch/v1", "Job", ACCOUNTS + "job-controller", false},
            {"batch/v1", "Job", ACCOUNTS + "cronjob-controller", true}, // it makes the Job, not its pods
            {"v1", "ReplicationController", ACCOUNTS + "replication-controller", false},
            {"v1", "ReplicationController", "alice", true},
            // another group's kind of the same name, an operator's owner, a static pod's Node: believed
            {"batch.volcano.sh/v1alpha1", "Job", "system:serviceaccount:volcano-system:volcano-controllers", false},
            {"postgresql.cnpg.io/v1", "Cluster", "system:serviceaccount:cnpg-system:cnpg-manager", false},
            {"v1", "Node", "system:node:worker-1", false},
            // no owner: the controller manager's own pods only (none it makes are bare; a controller adopting it later
            // is not believed)
            {"", "", "alice", true},
            {"", "", "system:serviceaccount:shop:ci-runner", true},
            {"", "", ACCOUNTS + "replicaset-controller", false},
        };
        for (Object[] c : cases) {
            assertEquals(
                    c[3],
                    OwnerClaims.refused((String) c[0], (String) c[1], (String) c[2]),
                    c[1] + " (" + c[0] + ") created by " + c[2]);
        }
    }
}
