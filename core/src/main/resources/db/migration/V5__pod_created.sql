-- Whether a pod's creation was seen (an admission CREATE) rather than the pod only listed as already running: a
-- workload none of whose pods was seen created started before observation began, and its start-up is unknown.
ALTER TABLE pod_identity ADD COLUMN created_seen BOOLEAN NOT NULL DEFAULT FALSE;
