-- Pods whose creation named, as their controller, an owner the API server does not vouch for: a ReplicaSet's,
-- StatefulSet's, DaemonSet's or Job's pod created by anyone but Kubernetes' controller manager (OwnerClaims). Each is
-- its own workload for every later sighting of it too (an update, a listing or a deletion names the owner again),
-- whichever replica of the webhook saw it created.
CREATE TABLE pod_owner_refused (
    namespace VARCHAR(253) NOT NULL,
    pod       VARCHAR(253) NOT NULL,
    PRIMARY KEY (namespace, pod)
);
