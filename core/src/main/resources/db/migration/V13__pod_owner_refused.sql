-- Each pod name's latest creation seen, where one of them vouched for none of Kubernetes' controllers' owners: a pod
-- anyone but the controller manager created naming a ReplicaSet, StatefulSet, DaemonSet, Job or ReplicationController as its owner, or
-- naming none (OwnerClaims). While its latest creation is such a one (refused), the pod is its own workload for
-- every sighting of it (an update, a listing, an adoption names the owner again), whichever replica of the webhook
-- saw it created; a later creation of the name by its controller (a StatefulSet's pod) is believed again. Each
-- replica reads again what was written since it last read (written), not the whole table.
CREATE TABLE pod_owner_refused (
    namespace VARCHAR(253) NOT NULL,
    pod       VARCHAR(253) NOT NULL,
    created   TIMESTAMP    NOT NULL,
    refused   BOOLEAN      NOT NULL,
    written   TIMESTAMP    NOT NULL,
    PRIMARY KEY (namespace, pod)
);
CREATE INDEX pod_owner_refused_written ON pod_owner_refused (written);
