-- The containers of each workload's pods (spec.containers), by name: the pod template's. Kubernetes refuses an
-- ephemeral container named like one of its pod's containers, so an ephemeral one named like the template's, in
-- another pod naming the same owner, is a pod made to look like the workload's: the template's container is never
-- taken for it (its seccomp profile and patch still proposed).
CREATE TABLE workload_container (
    namespace VARCHAR(253) NOT NULL,
    workload  VARCHAR(512) NOT NULL,
    container VARCHAR(253) NOT NULL,
    PRIMARY KEY (namespace, workload, container)
);
