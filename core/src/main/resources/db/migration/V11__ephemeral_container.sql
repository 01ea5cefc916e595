-- The ephemeral containers added to each workload's pods (spec.ephemeralContainers: kubectl debug), by name: what
-- they did is theirs, not the pod template's, so no seccomp profile or patch is proposed for them.
CREATE TABLE ephemeral_container (
    namespace VARCHAR(253) NOT NULL,
    workload  VARCHAR(512) NOT NULL,
    container VARCHAR(253) NOT NULL,
    PRIMARY KEY (namespace, workload, container)
);
