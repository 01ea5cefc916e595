-- The init containers of each workload's pods (spec.initContainers), by name: a seccomp patch must name them under
-- initContainers, where they are, not under containers (a name there that the pod template lacks adds a container).
CREATE TABLE init_container (
    namespace VARCHAR(253) NOT NULL,
    workload  VARCHAR(512) NOT NULL,
    container VARCHAR(253) NOT NULL,
    PRIMARY KEY (namespace, workload, container)
);
